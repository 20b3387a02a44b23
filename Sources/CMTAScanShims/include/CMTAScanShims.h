// Functions wrapping what Swift cannot import from OpenSSL 3.0: its macros.
// Every shim is prefixed `mtascan_` and does nothing but forward; the Swift
// layer in MTAScanEngine/Interop is the only caller.
#ifndef CMTASCAN_SHIMS_H
#define CMTASCAN_SHIMS_H

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>

// SNI: a macro over SSL_ctrl.
int mtascan_SSL_set_tlsext_host_name(SSL *ssl, const char *name);

// Protocol bounds: macros over SSL_CTX_ctrl.
int mtascan_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
int mtascan_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version);

// SSL_MODE_* flags: a macro over SSL_CTX_ctrl.
long mtascan_SSL_CTX_set_mode(SSL_CTX *ctx, long mode);

// Bytes pending in a memory BIO: a macro over BIO_ctrl.
long mtascan_BIO_get_mem_data(BIO *bio, char **data);

// STACK_OF(X509) accessors: type-safe macros over OPENSSL_sk_*.
int mtascan_sk_X509_num(const STACK_OF(X509) *stack);
X509 *mtascan_sk_X509_value(const STACK_OF(X509) *stack, int index);

// STACK_OF(GENERAL_NAME) accessors, for subjectAltName.
int mtascan_sk_GENERAL_NAME_num(const STACK_OF(GENERAL_NAME) *stack);
GENERAL_NAME *mtascan_sk_GENERAL_NAME_value(const STACK_OF(GENERAL_NAME) *stack, int index);
void mtascan_GENERAL_NAMES_free(STACK_OF(GENERAL_NAME) *names);

// A memory BIO that runs dry reports "retry" by default; when the socket layer
// has seen the peer's EOF, setting 0 makes OpenSSL see end of stream instead.
// A macro over BIO_ctrl.
long mtascan_BIO_set_mem_eof_return(BIO *bio, int value);

// Server-side SNI hook (used by the test server context to refuse unknown
// names with an `unrecognized_name` alert): two macros over SSL_CTX_callback_ctrl
// and SSL_CTX_ctrl.
typedef int (*mtascan_servername_callback)(SSL *ssl, int *alert, void *arg);
long mtascan_SSL_CTX_set_tlsext_servername_callback(SSL_CTX *ctx, mtascan_servername_callback callback);
long mtascan_SSL_CTX_set_tlsext_servername_arg(SSL_CTX *ctx, void *arg);

// SSL_OP_* flags are `SSL_OP_BIT(n)`, a function-like macro Swift cannot
// import; these constants carry their values.
static const uint64_t mtascan_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
static const uint64_t mtascan_SSL_OP_NO_COMPRESSION = SSL_OP_NO_COMPRESSION;

// RFC 2253 name printing flags: a macro over ORed macros typed unsigned long,
// which the Swift importer does not fold.
static const unsigned long mtascan_XN_FLAG_RFC2253 = XN_FLAG_RFC2253;

// The kernel CSPRNG in bulk (DNS query IDs): <sys/random.h> is not part of
// Swift's Glibc module on Debian 12.
#include <sys/types.h>
long mtascan_getrandom(void *buffer, size_t length);

// OpenSSL's own initialisation, without the atexit handler that frees its
// global state (locks, engine and provider tables) while threads that were
// never joined may still free OpenSSL objects. The process is ending: the
// kernel takes the memory back. Must run before anything else uses OpenSSL.
int mtascan_OPENSSL_init_without_atexit(void);

// OpenSSL 3.0 only: RSA and EC keys decoded and used through OpenSSL's
// built-in methods instead of a provider decoder per certificate
// (legacy_keys.c says why). Idempotent; 1 when installed, 0 when not
// (OpenSSL 3.1 or later, or it failed: then everything runs as before).
int mtascan_use_builtin_key_methods(void);

#endif
