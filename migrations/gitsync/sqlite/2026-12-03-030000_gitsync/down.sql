DROP TABLE gitsync_locks;
DROP TABLE gitsync_files;
DROP TABLE gitsync_synchronizations;
DROP TABLE gitsync_configs;
DROP TABLE gitsync_instances;
