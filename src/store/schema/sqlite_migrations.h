// The SQLite schema of voxsecrets as an ordered list of migrations compiled into the binary.
//
// kSqliteMigrations[i] takes a database from schema version i to version i + 1; the store applies
// every missing one at open, each in its own transaction, and records it in `schema_version`
// (see sqlite/sqlite_migrate.h). Policy (docs/SCHEMA.md): a published migration is never edited;
// a change is a new entry appended at the end. The PostgreSQL backend mirrors each version.
//
// Thread-safety: constant data.
#ifndef VOXSECRETS_STORE_SCHEMA_SQLITE_MIGRATIONS_H_
#define VOXSECRETS_STORE_SCHEMA_SQLITE_MIGRATIONS_H_

#include <string_view>

namespace voxsecrets::store {

inline constexpr std::string_view kSqliteMigrations[] = {
    // Version 1: accounts, keys, applications, secrets, data keys, meta.
    R"sql(
CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT    NOT NULL UNIQUE,
  email         TEXT    NOT NULL DEFAULT '',
  parent_id     INTEGER REFERENCES accounts (id),
  api_key_hash  TEXT    NOT NULL DEFAULT '',
  created       INTEGER NOT NULL
) STRICT;
CREATE INDEX accounts_by_parent ON accounts (parent_id);

CREATE TABLE api_keys (
  key_id          TEXT    PRIMARY KEY,
  account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  public_key_pem  TEXT    NOT NULL,
  name            TEXT    NOT NULL DEFAULT '',
  description     TEXT    NOT NULL DEFAULT '',
  created         INTEGER NOT NULL
) STRICT;
CREATE INDEX api_keys_by_account ON api_keys (account_id, created, key_id);

CREATE TABLE key_roles (
  key_id   TEXT    NOT NULL REFERENCES api_keys (key_id) ON DELETE CASCADE,
  role_id  INTEGER NOT NULL,
  PRIMARY KEY (key_id, role_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE applications (
  id                     INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id             INTEGER NOT NULL REFERENCES accounts (id),
  name                   TEXT    NOT NULL,
  secure_record_storage  INTEGER NOT NULL DEFAULT 0 CHECK (secure_record_storage IN (0, 1)),
  created                INTEGER NOT NULL,
  modified               INTEGER NOT NULL,
  UNIQUE (account_id, name)
) STRICT;
CREATE INDEX applications_by_account ON applications (account_id, id);

CREATE TABLE secrets (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  name            TEXT    NOT NULL,
  description     TEXT    NOT NULL DEFAULT '',
  value           BLOB    NOT NULL,
  key_version     INTEGER NOT NULL CHECK (key_version >= 0),
  created         INTEGER NOT NULL,
  modified        INTEGER NOT NULL,
  UNIQUE (application_id, name)
) STRICT;
CREATE INDEX secrets_by_application ON secrets (application_id, id);

CREATE TABLE data_keys (
  application_id      INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  version             INTEGER NOT NULL CHECK (version >= 0),
  wrapped_key         BLOB    NOT NULL,
  master_key_version  INTEGER NOT NULL CHECK (master_key_version >= 0),
  encryptions         INTEGER NOT NULL DEFAULT 0 CHECK (encryptions >= 0),
  created             INTEGER NOT NULL,
  PRIMARY KEY (application_id, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE meta (
  key    TEXT NOT NULL PRIMARY KEY,
  value  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
)sql",
    // Version 2: the audit log (docs/AUDIT.md): chains (one per writer, with head and pruning
    // checkpoint) and records. No foreign keys on purpose: deleting an account must not delete
    // its audit trail, and a record of an unknown chain is for `audit verify` to report.
    R"sql(
CREATE TABLE audit_chains (
  chain_id      INTEGER PRIMARY KEY,
  created_ms    INTEGER NOT NULL,
  label         TEXT    NOT NULL DEFAULT '',
  head_seq      INTEGER NOT NULL CHECK (head_seq >= 0),
  head_hash     TEXT    NOT NULL,
  pruned_seq    INTEGER NOT NULL DEFAULT 0 CHECK (pruned_seq >= 0),
  pruned_hash   TEXT    NOT NULL,
  pruned_at_ms  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE audit_log (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  chain_id      INTEGER NOT NULL,
  seq           INTEGER NOT NULL CHECK (seq >= 1),
  time_ms       INTEGER NOT NULL,
  account_id    INTEGER,
  key_id        TEXT    NOT NULL DEFAULT '',
  credential    TEXT    NOT NULL,
  ip            TEXT    NOT NULL DEFAULT '',
  method        TEXT    NOT NULL DEFAULT '',
  args          TEXT    NOT NULL DEFAULT '{}',
  touched       TEXT    NOT NULL DEFAULT '{}',
  result_code   INTEGER NOT NULL,
  prev_hash     TEXT    NOT NULL,
  hash          TEXT    NOT NULL,
  UNIQUE (chain_id, seq)
) STRICT;
CREATE INDEX audit_log_by_account ON audit_log (account_id, id);
CREATE INDEX audit_log_by_time ON audit_log (time_ms);
)sql",
};

// The schema version this binary brings a database to.
inline constexpr int kSqliteSchemaVersion =
    static_cast<int>(sizeof(kSqliteMigrations) / sizeof(kSqliteMigrations[0]));

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_SCHEMA_SQLITE_MIGRATIONS_H_
