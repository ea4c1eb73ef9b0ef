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
    // Version 3: what the hot paths read instead of scanning (docs/SCHEMA.md, "Version 3").
    //  - change_counters 'iam': moves, by trigger, in the transaction of every change to accounts,
    //    api_keys and key_roles, whoever makes it (this process, another one such as the admin
    //    CLI): a cache of those rows is valid exactly while the counter it was read at is current.
    //  - secret_counts: an application's number of secrets, kept by triggers in the transaction
    //    of every insert and delete (GetSecrets' total_count without count(*)).
    //  - secret_names: a trigram index of secret names (FTS5, contentless, case folded) that
    //    narrows name searches to candidates; the exact rule is still checked on each candidate.
    R"sql(
CREATE TABLE change_counters (
  name     TEXT    NOT NULL PRIMARY KEY,
  version  INTEGER NOT NULL CHECK (version >= 0)
) STRICT, WITHOUT ROWID;
INSERT INTO change_counters (name, version) VALUES ('iam', 1);

CREATE TRIGGER iam_changed_accounts_insert AFTER INSERT ON accounts BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
CREATE TRIGGER iam_changed_accounts_update AFTER UPDATE ON accounts BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
CREATE TRIGGER iam_changed_accounts_delete AFTER DELETE ON accounts BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
CREATE TRIGGER iam_changed_api_keys_insert AFTER INSERT ON api_keys BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
CREATE TRIGGER iam_changed_api_keys_update AFTER UPDATE ON api_keys BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
CREATE TRIGGER iam_changed_api_keys_delete AFTER DELETE ON api_keys BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
CREATE TRIGGER iam_changed_key_roles_insert AFTER INSERT ON key_roles BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
CREATE TRIGGER iam_changed_key_roles_update AFTER UPDATE ON key_roles BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
CREATE TRIGGER iam_changed_key_roles_delete AFTER DELETE ON key_roles BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;

CREATE TABLE secret_counts (
  application_id  INTEGER PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
  secrets         INTEGER NOT NULL CHECK (secrets >= 0)
) STRICT;
INSERT INTO secret_counts (application_id, secrets)
  SELECT application_id, count(*) FROM secrets GROUP BY application_id;
CREATE TRIGGER secret_counts_insert AFTER INSERT ON secrets BEGIN
  INSERT INTO secret_counts (application_id, secrets) VALUES (new.application_id, 1)
    ON CONFLICT (application_id) DO UPDATE SET secrets = secrets + 1;
END;
CREATE TRIGGER secret_counts_delete AFTER DELETE ON secrets BEGIN
  UPDATE secret_counts SET secrets = secrets - 1 WHERE application_id = old.application_id;
END;
CREATE TRIGGER secret_counts_move AFTER UPDATE OF application_id ON secrets
  WHEN old.application_id IS NOT new.application_id BEGIN
  UPDATE secret_counts SET secrets = secrets - 1 WHERE application_id = old.application_id;
  INSERT INTO secret_counts (application_id, secrets) VALUES (new.application_id, 1)
    ON CONFLICT (application_id) DO UPDATE SET secrets = secrets + 1;
END;

CREATE VIRTUAL TABLE secret_names USING fts5(
  name, content='', columnsize=0, tokenize='trigram case_sensitive 0');
INSERT INTO secret_names (rowid, name) SELECT id, name FROM secrets;
CREATE TRIGGER secret_names_insert AFTER INSERT ON secrets BEGIN
  INSERT INTO secret_names (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER secret_names_delete AFTER DELETE ON secrets BEGIN
  INSERT INTO secret_names (secret_names, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER secret_names_rename AFTER UPDATE OF name ON secrets
  WHEN old.name IS NOT new.name BEGIN
  INSERT INTO secret_names (secret_names, rowid, name) VALUES ('delete', old.id, old.name);
  INSERT INTO secret_names (rowid, name) VALUES (new.id, new.name);
END;
)sql",
    // Version 4: keys limited to applications (docs/AUTH.md). `scoped` = 1 marks a limited key;
    // its applications are rows of key_applications, which go with their application (so a
    // limited key whose applications were all deleted is limited to nothing, never to
    // everything). Existing keys stay unlimited. A key's applications are part of what the
    // identity cache holds, so key_applications moves the 'iam' change counter like key_roles
    // (a change of `scoped` already moves it through the api_keys update trigger).
    R"sql(
ALTER TABLE api_keys ADD COLUMN scoped INTEGER NOT NULL DEFAULT 0 CHECK (scoped IN (0, 1));

CREATE TABLE key_applications (
  key_id          TEXT    NOT NULL REFERENCES api_keys (key_id) ON DELETE CASCADE,
  application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  PRIMARY KEY (key_id, application_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX key_applications_by_application ON key_applications (application_id);

CREATE TRIGGER iam_changed_key_applications_insert AFTER INSERT ON key_applications BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
CREATE TRIGGER iam_changed_key_applications_update AFTER UPDATE ON key_applications BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
CREATE TRIGGER iam_changed_key_applications_delete AFTER DELETE ON key_applications BEGIN
  UPDATE change_counters SET version = version + 1 WHERE name = 'iam'; END;
)sql",
    // Version 5: secret versions (docs/API.md). A secret's row holds its current value and that
    // value's version; older values live in secret_versions until retention drops them, and go
    // with their secret. Values stored before this version are version 1 of their secret, set
    // when the secret was last modified (the closest time known).
    R"sql(
ALTER TABLE secrets ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE secrets ADD COLUMN version_created INTEGER NOT NULL DEFAULT 0;
UPDATE secrets SET version_created = modified;

CREATE TABLE secret_versions (
  secret_id    INTEGER NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
  version      INTEGER NOT NULL CHECK (version >= 1),
  value        BLOB    NOT NULL,
  key_version  INTEGER NOT NULL CHECK (key_version >= 0),
  created      INTEGER NOT NULL,
  PRIMARY KEY (secret_id, version)
) STRICT;
)sql",
    // Version 6: audit records shrink (docs/AUDIT.md "Size"): prev_hash is no longer stored (it
    // is the hash of the record before in the same chain, or the chain's checkpoint hash, so
    // reads derive it: sqlite_audit.cc) and the hash is stored as its 32 bytes. Record hashes,
    // which cover prev_hash, verify as before. The table is rebuilt once (docs/AUDIT.md: the cost
    // per million records); AUTOINCREMENT's high-water mark moves with it. A stored hash that is
    // not 64 lowercase hex digits (edited by hand) is kept as its text's bytes, so it still fails
    // verification instead of failing the migration. voxsecrets_unhex is registered by
    // sqlite_connection.cc.
    R"sql(
CREATE TABLE audit_log_v6 (
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
  hash          BLOB    NOT NULL,
  UNIQUE (chain_id, seq)
) STRICT;
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'audit_log_v6', seq FROM sqlite_sequence WHERE name = 'audit_log';
INSERT INTO audit_log_v6 (id, chain_id, seq, time_ms, account_id, key_id, credential, ip, method,
                          args, touched, result_code, hash)
  SELECT id, chain_id, seq, time_ms, account_id, key_id, credential, ip, method, args, touched,
         result_code,
         CASE WHEN length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'
              THEN voxsecrets_unhex(hash) ELSE CAST(hash AS BLOB) END
  FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_v6 RENAME TO audit_log;
CREATE INDEX audit_log_by_account ON audit_log (account_id, id);
CREATE INDEX audit_log_by_time ON audit_log (time_ms);
)sql",
};

// The schema version this binary brings a database to.
inline constexpr int kSqliteSchemaVersion =
    static_cast<int>(sizeof(kSqliteMigrations) / sizeof(kSqliteMigrations[0]));

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_STORE_SCHEMA_SQLITE_MIGRATIONS_H_
