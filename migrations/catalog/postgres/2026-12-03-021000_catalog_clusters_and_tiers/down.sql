DROP TABLE catalog_clusters;
DROP TABLE catalog_support_tiers;
