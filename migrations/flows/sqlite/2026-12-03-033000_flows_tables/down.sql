DROP TABLE flow_table_cells;
DROP TABLE flow_tables;
