/**
 * store/ owns the index on disk: the LanceDB entity table, its schema and queries, the manifest,
 * the file catalog, the writer lock and finding an index. It must not parse source, embed or print.
 */
export * from "./entity-filter.js";
export * from "./entity-row.js";
export * from "./entity-sample.js";
export * from "./entity-table.js";
export * from "./entity-text-search.js";
export * from "./index-manifest.js";
export * from "./locate-index.js";
export * from "./file-catalog.js";
export { REFERENCES_IN_SIDECAR, type ReferencesFile } from "./catalog-references.js";
export * from "./index-lock.js";
export * from "./search-columns.js";
export * from "./search-indexes.js";
export * from "./sql-quote.js";
export * from "./index-location.js";
export * from "./remote-manifest.js";
export * from "./table-snapshot.js";
export * from "./table-files.js";
export * from "./table-maintenance.js";
export * from "./version-retention.js";
export * from "./watch-record.js";
export * from "./scratch-files.js";
export * from "./inspect-entity-table.js";
export * from "./order-hits.js";
export * from "./resident-entities.js";
export * from "./reference-record.js";
export * from "./entity-vector.js";
