// Bearer tokens signed in the browser (docs/AUTH.md "Make a token"): RS256, header
// {"alg":"RS256","typ":"JWT","kid":key_id}, claims {"iss":account_id,"iat","exp"}.
//
// A token lives TOKEN_TTL_S seconds and is reused until less than RENEW_BEFORE_S are left (the
// server verifies a reused token's signature only once). `iat` is set CLOCK_SLACK_S seconds in
// the past, so a browser clock a little ahead of the server's is not refused (455: iat more
// than 60 s ahead); exp - iat stays TOKEN_TTL_S (the server refuses more than 3600).

export const TOKEN_TTL_S = 600;
export const RENEW_BEFORE_S = 60;
export const CLOCK_SLACK_S = 30;

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const jsonPart = (value: object): string => base64url(encoder.encode(JSON.stringify(value)));

export class TokenSigner {
  private token = '';
  private expires = 0;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly privateKey: CryptoKey,
    private readonly keyId: string,
    private readonly accountId: number,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  // A token valid for at least RENEW_BEFORE_S more seconds.
  async get(): Promise<string> {
    if (this.token !== '' && this.expires - this.nowSeconds() > RENEW_BEFORE_S) return this.token;
    if (this.pending === null) {
      this.pending = this.sign().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  // Drops the cached token (the next get() signs a new one).
  reset(): void {
    this.token = '';
    this.expires = 0;
  }

  private async sign(): Promise<string> {
    const iat = this.nowSeconds() - CLOCK_SLACK_S;
    const exp = iat + TOKEN_TTL_S;
    const input = `${jsonPart({ alg: 'RS256', typ: 'JWT', kid: this.keyId })}.${jsonPart({
      iss: this.accountId,
      iat,
      exp,
    })}`;
    const signature = await crypto.subtle.sign(
      'RSASSA-PKCS1-v1_5',
      this.privateKey,
      encoder.encode(input),
    );
    this.token = `${input}.${base64url(new Uint8Array(signature))}`;
    this.expires = exp;
    return this.token;
  }
}
