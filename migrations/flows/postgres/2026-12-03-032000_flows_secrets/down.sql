DROP TABLE flow_secret_versions;
DROP TABLE flow_secrets;
