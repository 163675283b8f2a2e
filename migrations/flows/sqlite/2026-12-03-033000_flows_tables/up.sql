-- portico-flows: dynamic tables. A table is a name with a row-id allocator and a row count; a
-- row is the cells that share its row id. Lookups by column and value use the index. On SQLite
-- the cells are stored in primary-key order (WITHOUT ROWID): reading a row's cells is then a
-- range of the table itself, which the planner prefers to scanning the (also covering) lookup
-- index.

CREATE TABLE flow_tables (
    realm_id TEXT NOT NULL,
    table_name TEXT NOT NULL,
    next_row BIGINT NOT NULL,
    row_count BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (realm_id, table_name)
);

CREATE TABLE flow_table_cells (
    realm_id TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    column_name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (realm_id, table_name, row_id, column_name)
) WITHOUT ROWID;
CREATE INDEX flow_table_cells_lookup ON flow_table_cells (realm_id, table_name, column_name, value, row_id);
