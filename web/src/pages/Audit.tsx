// Audit log: GetAuditLog with a date range (UTC), method and IP filters, newest or oldest first,
// paging, and an export of the records matching the filters as JSON lines. Every Reveal and Copy
// of the panel shows up here as a GetSecretValue record: the panel adds no hidden reads.
import { useState } from 'preact/hooks';

import { explain } from '../api/errors';
import type { AuditRecord, Paged } from '../api/types';
import { Pager } from '../components/Pager';
import { ErrorBanner, Explain, Loading } from '../components/Status';
import { downloadText } from '../lib/download';
import { apiTimeFromInput, formatCount, plural, stampedName } from '../lib/format';
import { useTitle } from '../lib/router';
import { usePaging } from '../lib/usePaging';
import { useQuery } from '../lib/useQuery';
import { notAllowed, useSession } from '../session';

const METHODS = [
  'AddSecret',
  'GetSecretValue',
  'GetSecrets',
  'SetSecretInfo',
  'DelSecret',
  'AddApplication',
  'GetApplications',
  'SetApplicationInfo',
  'DelApplication',
  'CreateKey',
  'GetKeys',
  'UpdateKey',
  'DeleteKey',
  'SetKeyRoles',
  'GetKeyRoles',
  'RemoveKeyRoles',
  'GetRoles',
  'GetAccountInfo',
  'GetAuditLog',
];

const EXPORT_MAX = 50_000;

interface Filters {
  from: string; // datetime-local values, read as UTC
  to: string;
  method: string;
  ip: string;
  newestFirst: boolean;
}

const EMPTY: Filters = { from: '', to: '', method: '', ip: '', newestFirst: true };

function toParams(f: Filters): Record<string, string | boolean | undefined> {
  return {
    from_date: apiTimeFromInput(f.from),
    to_date: apiTimeFromInput(f.to),
    filtered_cmd: f.method.trim() || undefined,
    filtered_ip: f.ip.trim() || undefined,
    desc_order: f.newestFirst,
  };
}

interface ResultFacts {
  code: number;
  key_id?: string;
  credential?: string;
}

function parseResult(text: string): ResultFacts | undefined {
  try {
    return JSON.parse(text) as ResultFacts;
  } catch {
    return undefined;
  }
}

function formatArgs(text: string): string {
  try {
    const args = JSON.parse(text) as Record<string, unknown>;
    return Object.entries(args)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join('  ');
  } catch {
    return text;
  }
}

export function AuditPage() {
  const session = useSession();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const paging = usePaging();
  const { offset, count } = paging;
  const [exporting, setExporting] = useState<string | null>(null);

  useTitle('Audit log');

  const allowed = session.can('GetAuditLog');
  const query = useQuery(
    () =>
      allowed
        ? session.api.call<Paged<AuditRecord>>('GetAuditLog', {
            ...toParams(filters),
            count,
            offset,
          })
        : Promise.resolve(undefined),
    [filters, offset, count, allowed],
  );
  const page = query.data;

  // Pages are read oldest first, so the records that calls made meanwhile (this export's own
  // GetAuditLog calls included) land after the end instead of shifting the pages; the export
  // stops at the count the first page reported, then takes the view's order.
  const exportLines = async () => {
    setExporting('Exporting…');
    try {
      const lines: string[] = [];
      let total = Infinity;
      for (let at = 0; at < Math.min(total, EXPORT_MAX); at += 1000) {
        const chunk = await session.api.call<Paged<AuditRecord>>('GetAuditLog', {
          ...toParams(filters),
          desc_order: false,
          count: 1000,
          offset: at,
        });
        if (total === Infinity) total = chunk.total_count;
        for (const record of chunk.result) lines.push(JSON.stringify(record));
        setExporting(`Exporting… ${formatCount(Math.min(lines.length, total))} of ${formatCount(total)}`);
        if (chunk.result.length < 1000) break;
      }
      lines.length = Math.min(lines.length, total, EXPORT_MAX);
      if (filters.newestFirst) lines.reverse();
      downloadText(
        stampedName('audit', 'jsonl'),
        lines.map((l) => `${l}\n`).join(''),
        'application/x-ndjson',
      );
      session.notify(
        `Exported ${plural(lines.length, 'record')} as JSON lines` +
          (total > EXPORT_MAX ? ` (the first ${formatCount(EXPORT_MAX)}; narrow the filters for the rest).` : '.'),
      );
    } catch (error) {
      session.notify(`Export failed: ${explain(error)}`);
    } finally {
      setExporting(null);
    }
  };

  const set = (patch: Partial<Filters>) => setDraft({ ...draft, ...patch });

  return (
    <section class="page">
      <div class="page__head">
        <h1>Audit log</h1>
        <div class="page__actions">
          <button
            type="button"
            onClick={() => void exportLines()}
            disabled={!allowed || exporting !== null || page === undefined || page.total_count === 0}
            title={allowed ? undefined : notAllowed(session, 'read the audit log')}
          >
            Export JSON lines
          </button>
        </div>
      </div>
      <p class="page__lead">
        One record per API call, newest first: who called what, from where, and the result. Values,
        tokens and keys are never recorded. Times are UTC.
        {exporting !== null && (
          <span class="muted" role="status">
            {' '}
            {exporting}
          </span>
        )}
      </p>
      {!allowed ? (
        <Explain text={notAllowed(session, 'read the audit log (needs Owner or Admin)')} />
      ) : (
        <>
          <form
            class="filters"
            aria-label="Filters"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              setFilters(draft);
              paging.setOffset(0);
            }}
          >
            <label>
              From (UTC)
              <input
                type="datetime-local"
                step={1}
                value={draft.from}
                onInput={(e) => set({ from: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              To (UTC)
              <input
                type="datetime-local"
                step={1}
                value={draft.to}
                onInput={(e) => set({ to: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              Method
              <input
                type="text"
                list="audit-methods"
                value={draft.method}
                placeholder="Any"
                autocomplete="off"
                spellcheck={false}
                onInput={(e) => set({ method: (e.target as HTMLInputElement).value })}
              />
              <datalist id="audit-methods">
                {METHODS.map((m) => (
                  <option key={m} value={m} />
                ))}
              </datalist>
            </label>
            <label>
              IP address
              <input
                type="text"
                value={draft.ip}
                placeholder="Any"
                autocomplete="off"
                spellcheck={false}
                inputMode="text"
                onInput={(e) => set({ ip: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              Order
              <select
                value={draft.newestFirst ? 'newest' : 'oldest'}
                onChange={(e) => set({ newestFirst: (e.target as HTMLSelectElement).value === 'newest' })}
              >
                <option value="newest">Newest first</option>
                <option value="oldest">Oldest first</option>
              </select>
            </label>
            <div class="filters__buttons">
              <button type="submit" class="primary">
                Apply filters
              </button>
              <button
                type="button"
                onClick={() => {
                  setDraft(EMPTY);
                  setFilters(EMPTY);
                  paging.setOffset(0);
                }}
              >
                Reset
              </button>
            </div>
          </form>
          {query.error !== undefined && (
            <ErrorBanner error={query.error} onRetry={query.reload} what="Could not load the audit log" />
          )}
          {page === undefined && query.loading && <Loading what="the audit log" />}
          {page !== undefined && (
            <>
              <div class="table-wrap" aria-busy={query.loading}>
                <table class="table table--audit">
                  <caption class="visually-hidden">
                    Audit records, {formatCount(page.total_count)} matching the filters
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">ID</th>
                      <th scope="col" class="col-time">
                        Time (UTC)
                      </th>
                      <th scope="col">Method</th>
                      <th scope="col">Result</th>
                      <th scope="col">IP</th>
                      <th scope="col">Key</th>
                      <th scope="col">Parameters</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.result.map((record) => {
                      const facts = parseResult(record.cmd_result);
                      const ok = facts?.code === 0;
                      return (
                        <tr key={record.audit_log_id}>
                          <td class="num" data-label="ID">
                            {record.audit_log_id}
                          </td>
                          <td class="col-time" data-label="Time (UTC)">
                            {record.requested}
                          </td>
                          <td class="mono" data-label="Method">
                            {record.cmd_name || <span class="muted">(none)</span>}
                          </td>
                          <td data-label="Result">
                            <span class={ok ? 'result result--ok' : 'result result--error'}>
                              {facts === undefined ? '?' : ok ? 'OK' : `Error ${facts.code}`}
                            </span>
                          </td>
                          <td class="mono small" data-label="IP">
                            {record.ip}
                          </td>
                          <td class="mono small" data-label="Key" title={facts?.key_id}>
                            {facts?.key_id ? facts.key_id.slice(0, 8) : (facts?.credential ?? '')}
                          </td>
                          <td class="mono small args" data-label="Parameters">
                            {formatArgs(record.cmd_args) || <span class="muted">—</span>}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
                {page.result.length === 0 && (
                  <div class="empty">
                    <p>No records match these filters.</p>
                  </div>
                )}
              </div>
              <Pager
                label="records"
                paging={paging}
                total={page.total_count}
                shown={page.result.length}
              />
            </>
          )}
        </>
      )}
    </section>
  );
}
