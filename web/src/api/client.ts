// The panel's only way to the server: the public Management API, POST /platform_api/<Method>
// with a urlencoded body and `Authorization: Bearer <token signed in this tab>` — the same calls
// the official clients make. Same origin, no cookies (credentials: 'omit'), no caching.

import type { TokenSigner } from './jwt';

export type ParamValue = string | number | boolean | null | undefined;
export type Params = Record<string, ParamValue>;

// A refused or failed call. `code` is the API error code (docs/API.md "Errors"); 0 when the server
// could not be reached; -N for an HTTP status other than 200 (413, 429, 5xx).
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// Asked when the server refuses the key (100): e.g. the key was deleted, or the server's data was
// reset. Resolves true when the person signed in again (the call is then retried once), false
// when they gave up. The page stays as it is meanwhile: nothing typed is lost.
export type AuthFailureHandler = (error: ApiError) => Promise<boolean>;

export class ApiClient {
  constructor(
    private signer: TokenSigner,
    private readonly onAuthFailure: AuthFailureHandler,
  ) {}

  replaceSigner(signer: TokenSigner): void {
    this.signer = signer;
  }

  // The whole answer body ({"result":..., "count":..., ...}); throws ApiError.
  async call<T = Record<string, unknown>>(method: string, params: Params = {}): Promise<T> {
    try {
      return await this.once<T>(method, params);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 100) throw error;
      this.signer.reset();
      if (!(await this.onAuthFailure(error))) throw error;
      return this.once<T>(method, params);
    }
  }

  private async once<T>(method: string, params: Params): Promise<T> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined || value === null) continue;
      body.append(name, String(value));
    }
    const token = await this.signer.get();
    let response: Response;
    try {
      response = await fetch(`/platform_api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body,
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        redirect: 'error',
      });
    } catch {
      throw new ApiError(0, 'Cannot reach the server.');
    }
    if (response.status !== 200) {
      throw new ApiError(-response.status, `The server answered HTTP ${response.status}.`);
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new ApiError(-response.status, 'The server sent an answer that is not JSON.');
    }
    const record = json as { error?: { code?: unknown; msg?: unknown; field_name?: unknown } };
    if (record.error !== undefined) {
      const { code, msg, field_name: field } = record.error;
      throw new ApiError(
        typeof code === 'number' ? code : 1,
        typeof msg === 'string' ? msg : 'The server refused the call.',
        typeof field === 'string' ? field : undefined,
      );
    }
    return json as T;
  }
}
