DROP TABLE catalog_instance_clusters;
DROP TABLE catalog_instances;
