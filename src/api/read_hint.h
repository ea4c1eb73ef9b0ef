// ReadHintFor: what a read call is about to look up (store::ReadHint, for store::Tx::Prefetch),
// worked out from its method's MethodSpec::prefetch, its parameters and its credentials before
// the call is authenticated.
//
// The account is the one the call will act as if its credentials hold: the `iss` of a bearer
// token already in the verified-token cache (a token seen for the first time gives no hint), or
// the `account_id` parameter of legacy credentials. Nothing here is trusted: a hint names rows
// to fetch, and the store answers from them only the lookups the authenticated call really
// makes (the same arguments), in the call's own snapshot. A hint that turns out wrong (forged
// `iss`, bad parameters) costs the rows it fetched and nothing else.
//
// Thread-safety: a pure function of its arguments (the token cache is thread-safe).
#ifndef VOXSECRETS_API_READ_HINT_H_
#define VOXSECRETS_API_READ_HINT_H_

#include "api/api_types.h"
#include "api/method_table.h"
#include "auth/authenticator.h"
#include "store/store.h"

namespace voxsecrets::api {

// An empty hint (account_id 0) when there is nothing to prefetch: Prefetch::kNothing, no account
// known, or no application named in a form the application lookup uses as it is (an id, or a
// short name: a full name "app.account.domain" is looked up by its short part).
store::ReadHint ReadHintFor(Prefetch what, const ApiRequest& request,
                            const auth::Authenticator& authenticator);

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_READ_HINT_H_
