// Signing in: the credentials file is read and its key imported in this tab (never sent), a
// token is signed with it, and GetAccountInfo proves the server accepts the key and tells who it
// is and what it may do.
import { ApiClient } from './api/client';
import { CredentialsError, importCredentials, type KeyIdentity } from './api/credentials';
import { TokenSigner } from './api/jwt';
import type { AccountInfo } from './api/types';

export interface SignedIn {
  identity: KeyIdentity;
  signer: TokenSigner;
  account: AccountInfo;
}

export async function signIn(fileText: string): Promise<SignedIn> {
  if (!window.isSecureContext || globalThis.crypto?.subtle === undefined) {
    throw new CredentialsError(
      'This page is not served over HTTPS, so the browser cannot sign with a key here. Open ' +
        'the panel through https://.',
    );
  }
  const { identity, privateKey } = await importCredentials(fileText);
  const signer = new TokenSigner(privateKey, identity.keyId, identity.accountId);
  const probe = new ApiClient(signer, async () => false);
  const answer = await probe.call<{ result: AccountInfo }>('GetAccountInfo');
  return { identity, signer, account: answer.result };
}
