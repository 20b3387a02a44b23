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

#endif
