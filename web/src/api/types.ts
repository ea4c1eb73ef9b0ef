// Shapes of the answers the panel reads (docs/API.md, docs/AUTH.md, docs/AUDIT.md). Dates are
// "YYYY-MM-DD HH:MM:SS" in UTC.

export interface Paged<T> {
  result: T[];
  count: number;
  total_count: number;
}

export interface Application {
  application_id: number;
  application_name: string; // full: short.account.domain
  created?: string;
  modified: string;
  secure_record_storage?: boolean;
}

export interface SecretItem {
  secret_id: number;
  secret_name: string;
  description?: string;
  created: string;
  modified: string;
}

export interface SecretWithValue extends SecretItem {
  secret_value: string;
  version?: number; // voxsecrets: the version of the value answered
}

// voxsecrets: one kept version of a secret's value (GetSecretVersions; never the value).
export interface SecretVersion {
  version: number;
  created: string; // when this value was set
  current: boolean;
}

export interface RoleView {
  role_id: number;
  role_name: string;
  inherited?: boolean;
  parent_role_id?: number[];
  child_ids?: number[];
}

export interface KeyItem {
  key_id: string;
  key_name?: string;
  description?: string;
  roles?: RoleView[];
  // voxsecrets: the applications a limited key reaches (absent: every application).
  application_ids?: number[];
}

export interface CreatedKey {
  account_email: string;
  account_id: number;
  key_id: string;
  private_key: string;
}

export interface AccountInfo {
  account_id: number;
  account_name: string;
  account_email: string;
  created?: string;
  // The API method names these credentials may call (Voximplant's AccountInfo member).
  access_entries?: string[];
  // voxsecrets: the calling key and the roles it holds (bearer-token callers only).
  key?: { key_id: string; key_name?: string; roles: RoleView[]; application_ids?: number[] };
}

export interface AuditRecord {
  audit_log_id: number;
  account_id: number;
  requested: string;
  ip: string;
  cmd_name: string;
  cmd_args: string; // JSON text
  // JSON text: {"code","key_id","credential","application_ids","secret_ids","secret_versions"}
  cmd_result: string;
}
