// OpenSSL 3.0 decodes the public key of every certificate it parses (each one
// a server sends) through its provider decoders, and sets up a decoder
// context for each: about a third of a TLS client's instructions per handshake
// here (docs/performance.md, "Where a handshake's CPU goes"). OpenSSL 3.1
// caches that set-up; Debian 12 ships 3.0.
//
// 3.0 still decodes a key the pre-3.0 way when an ENGINE provides the key
// type's operations ("engines aren't overridden by providers",
// crypto/x509/x_pubkey.c). This registers one that provides nothing of its
// own: for RSA and EC keys it hands back OpenSSL's built-in methods, so
// decoding, signature checks and key exchange run the same arithmetic by the
// pre-3.0 path, without a decoder context per certificate. Other key types
// (Ed25519, RSA-PSS, X25519) keep the provider path. Not needed, and not
// installed, from OpenSSL 3.1 on.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "CMTAScanShims.h"
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <pthread.h>

static const int legacy_key_types[] = { EVP_PKEY_RSA, EVP_PKEY_EC };

static int builtin_key_methods(ENGINE *engine, EVP_PKEY_METHOD **method, const int **types, int type) {
    (void)engine;
    if (method == NULL) {
        *types = legacy_key_types;
        return (int)(sizeof legacy_key_types / sizeof legacy_key_types[0]);
    }
    *method = (EVP_PKEY_METHOD *)EVP_PKEY_meth_find(type);
    return *method != NULL;
}

static int installed = 0;

static void install(void) {
    if (OpenSSL_version_num() >= 0x30100000L) return;
    ENGINE *engine = ENGINE_new();
    if (engine == NULL) return;
    if (ENGINE_set_id(engine, "mtascan-builtin-keys") &&
        ENGINE_set_name(engine, "OpenSSL's built-in RSA and EC methods, decoded without providers") &&
        ENGINE_set_pkey_meths(engine, builtin_key_methods) &&
        ENGINE_register_pkey_meths(engine)) {
        installed = 1;
    } else {
        ENGINE_free(engine);
    }
    // Once registered, the engine lives as long as the process: the
    // registration table does not hold a reference of its own.
    ERR_clear_error();
}

int mtascan_use_builtin_key_methods(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install);
    return installed;
}
