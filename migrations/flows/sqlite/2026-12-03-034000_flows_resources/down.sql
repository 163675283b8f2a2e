DROP TABLE flow_resource_trigrams;
DROP TABLE flow_resource_revisions;
DROP TABLE flow_resources;
