/* C test of the glpi-key C API, compiled with gcc against ffi/include/glpi_key.h.
 *
 * Usage: test_glpi_key <vectors.tsv>   (made by vectors-to-tsv.mjs from spec/vectors/keys.json)
 *
 * Runs every vector and checks its outcome (and, for valid keys, serial, tier, owner and
 * expiry), then the boundary cases: a typo with its suggestion, a tampered key, an expired key,
 * NULL pointers, invalid UTF-8, empty and over-long input, weak trusted keys, message copying,
 * and concurrent verification with one verifier. Exits non-zero on any failure. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glpi_key.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond, ...)                                    \
    do {                                                    \
        checks++;                                           \
        if (!(cond)) {                                      \
            failures++;                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                   \
            fprintf(stderr, "\n");                          \
        }                                                   \
    } while (0)

static const char *TIERS[] = {"free", "starter", "basic", "standard", "advanced"};

/* Decodes hex into out (at most cap bytes); "-" is empty. Returns the length or -1. */
static long unhex(const char *hex, unsigned char *out, size_t cap) {
    if (strcmp(hex, "-") == 0) return 0;
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > cap) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned int b;
        if (sscanf(hex + 2 * i, "%2x", &b) != 1) return -1;
        out[i] = (unsigned char)b;
    }
    return (long)(n / 2);
}

typedef struct Vector {
    char name[128];
    char expect[64];
    uint64_t now;
    uint32_t kind;
    unsigned char instance[16];
    int has_instance;
    char version[16];
    int has_version;
    int has_claims;
    uint64_t serial;
    char tier[16];
    uint64_t expires_at;
    int has_expires_at;
    char owner[GLPI_OWNER_CAPACITY];
    unsigned char key[8192];
    size_t key_len;
} Vector;

static int parse_vector(char *line, Vector *v) {
    char *f[11];
    int n = 0;
    for (char *tok = strtok(line, "\t\n"); tok && n < 11; tok = strtok(NULL, "\t\n")) f[n++] = tok;
    if (n != 11) return -1;
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s", f[0]);
    snprintf(v->expect, sizeof v->expect, "%s", f[1]);
    v->now = strtoull(f[2], NULL, 10);
    v->kind = (uint32_t)strtoul(f[3], NULL, 10);
    v->has_instance = strcmp(f[4], "-") != 0;
    if (v->has_instance && unhex(f[4], v->instance, 16) != 16) return -1;
    v->has_version = strcmp(f[5], "-") != 0;
    snprintf(v->version, sizeof v->version, "%s", f[5]);
    v->has_claims = strcmp(f[6], "-") != 0;
    if (v->has_claims) {
        v->serial = strtoull(f[6], NULL, 16);
        snprintf(v->tier, sizeof v->tier, "%s", f[7]);
        v->has_expires_at = strcmp(f[8], "-") != 0;
        v->expires_at = strtoull(f[8], NULL, 10);
        long owner_len = unhex(f[9], (unsigned char *)v->owner, GLPI_OWNER_CAPACITY - 1);
        if (owner_len < 0) return -1;
        v->owner[owner_len] = '\0';
    }
    long key_len = unhex(f[10], v->key, sizeof v->key);
    if (key_len < 0) return -1;
    v->key_len = (size_t)key_len;
    return 0;
}

static GlpiStatus verify_vector(const GlpiVerifier *verifier, const Vector *v, uint64_t now,
                                GlpiLicense *lic, GlpiError *err) {
    return glpi_verify(verifier, v->key, v->key_len, now, v->kind,
                       v->has_instance ? v->instance : NULL, v->has_version ? v->version : NULL,
                       lic, err);
}

/* ---- concurrency: one verifier, several threads ---- */
typedef struct Job {
    const GlpiVerifier *verifier;
    const Vector *vector;
    int ok;
} Job;

static void *verify_many(void *arg) {
    Job *job = arg;
    job->ok = 0;
    for (int i = 0; i < 200; i++) {
        GlpiLicense lic;
        if (verify_vector(job->verifier, job->vector, job->vector->now, &lic, NULL) == GLPI_STATUS_OK &&
            lic.serial == job->vector->serial)
            job->ok++;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <vectors.tsv>\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    static char line[32768];
    unsigned char trust[GLPI_MAX_TRUSTED_KEYS * GLPI_PUBLIC_KEY_LEN];
    size_t trust_count = 0;
    if (!fgets(line, sizeof line, in) || strncmp(line, "trust ", 6) != 0) {
        fprintf(stderr, "%s: first line must list the trusted keys\n", argv[1]);
        return 2;
    }
    for (char *tok = strtok(line + 6, " \n"); tok; tok = strtok(NULL, " \n")) {
        if (trust_count == GLPI_MAX_TRUSTED_KEYS ||
            unhex(tok, trust + trust_count * GLPI_PUBLIC_KEY_LEN, GLPI_PUBLIC_KEY_LEN) != GLPI_PUBLIC_KEY_LEN) {
            fprintf(stderr, "bad trusted key %s\n", tok);
            return 2;
        }
        trust_count++;
    }

    GlpiVerifier *verifier = NULL;
    GlpiError err;
    GlpiStatus s = glpi_verifier_new(trust, trust_count, &verifier, &err);
    CHECK(s == GLPI_STATUS_OK && verifier != NULL, "verifier: %s", err.message);
    if (!verifier) return 1;

    /* ---- every vector ---- */
    static Vector vectors[512];
    size_t count = 0;
    while (fgets(line, sizeof line, in) && count < 512) {
        if (parse_vector(line, &vectors[count]) != 0) {
            fprintf(stderr, "malformed vector line %zu\n", count + 2);
            return 2;
        }
        count++;
    }
    fclose(in);
    CHECK(count > 0, "no vectors");
    const Vector *valid = NULL, *expiring = NULL;
    size_t agreed = 0;
    for (size_t i = 0; i < count; i++) {
        const Vector *v = &vectors[i];
        GlpiLicense lic;
        memset(&lic, 0, sizeof lic);
        s = verify_vector(verifier, v, v->now, &lic, &err);
        const char *got = glpi_status_name(s);
        int ok = strcmp(got, v->expect) == 0 && err.status == s;
        if (ok && s == GLPI_STATUS_OK) {
            ok = lic.serial == v->serial && lic.tier <= GLPI_TIER_ADVANCED &&
                 strcmp(TIERS[lic.tier], v->tier) == 0 && strcmp(lic.owner, v->owner) == 0 &&
                 lic.owner_len == strlen(v->owner) && lic.has_expires_at == v->has_expires_at &&
                 (!v->has_expires_at || lic.expires_at == v->expires_at) &&
                 strncmp(lic.short_id, "GLPI-", 5) == 0 && strlen(lic.short_id) == 24;
            if (!valid) valid = v;
            if (!expiring && v->has_expires_at) expiring = v;
        }
        if (ok && s != GLPI_STATUS_OK) ok = strlen(err.message) > 20;
        CHECK(ok, "vector %s: expected %s, got %s (%s)", v->name, v->expect, got, err.message);
        agreed += ok;
    }
    printf("C: %zu/%zu vectors agree\n", agreed, count);
    CHECK(valid != NULL && expiring != NULL, "the vectors have no valid (expiring) key");
    if (!valid || !expiring) return 1;

    GlpiLicense lic;

    /* ---- typo: one symbol changed gives a confirmed suggestion of the original ---- */
    {
        Vector typo = *valid;
        size_t at = 12; /* inside the body, after "GLPI-" */
        char original = (char)typo.key[at];
        typo.key[at] = original == 'A' ? 'B' : 'A';
        s = verify_vector(verifier, &typo, typo.now, &lic, &err);
        CHECK(s == GLPI_STATUS_CHECKSUM, "typo: got %s", glpi_status_name(s));
        CHECK(err.position == at + 1, "typo position %zu", err.position);
        CHECK(err.suggestion == original && err.suggestion_confirmed, "suggestion %c", err.suggestion);
        CHECK(strstr(err.message, "should almost certainly be") != NULL, "typo message: %s", err.message);
        printf("typo message: %s\n", err.message);
    }
    /* ---- tampered: a bad-signature vector exists and fails with a message ---- */
    {
        int found = 0;
        for (size_t i = 0; i < count; i++)
            if (strcmp(vectors[i].expect, "bad-signature") == 0) {
                found = 1;
                s = verify_vector(verifier, &vectors[i], vectors[i].now, &lic, &err);
                CHECK(s == GLPI_STATUS_BAD_SIGNATURE, "tampered: %s", glpi_status_name(s));
                CHECK(strstr(err.message, "signature") != NULL, "tampered message: %s", err.message);
            }
        CHECK(found, "no bad-signature vector");
    }
    /* ---- expired: a valid key checked at its expiry ---- */
    s = verify_vector(verifier, expiring, expiring->expires_at, &lic, &err);
    CHECK(s == GLPI_STATUS_EXPIRED, "expired: %s", glpi_status_name(s));
    CHECK(strstr(err.message, "expired") != NULL, "expired message: %s", err.message);
    s = verify_vector(verifier, expiring, expiring->expires_at - 1, &lic, &err);
    CHECK(s == GLPI_STATUS_OK, "one second before expiry: %s", glpi_status_name(s));

    /* ---- NULL pointers, at every required argument ---- */
    s = glpi_verify(NULL, valid->key, valid->key_len, valid->now, 0, NULL, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_NULL_POINTER && strstr(err.message, "verifier"), "null verifier");
    s = glpi_verify(verifier, NULL, valid->key_len, valid->now, 0, NULL, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_NULL_POINTER && strstr(err.message, "text"), "null text");
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, 0, NULL, NULL, NULL, &err);
    CHECK(s == GLPI_STATUS_NULL_POINTER && strstr(err.message, "license"), "null license");
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, 0, NULL, NULL, &lic, NULL);
    CHECK(s == GLPI_STATUS_OK, "NULL error record is allowed");
    {
        GlpiVerifier *unused = (GlpiVerifier *)&lic; /* must be reset to NULL */
        s = glpi_verifier_new(NULL, 1, &unused, &err);
        CHECK(s == GLPI_STATUS_NULL_POINTER && unused == NULL, "null keys");
    }
    s = glpi_verifier_new(trust, trust_count, NULL, &err);
    CHECK(s == GLPI_STATUS_NULL_POINTER, "null out");
    glpi_verifier_free(NULL);
    CHECK(glpi_error_message(NULL, NULL, 0) == 0, "null error record");

    /* ---- bad input ---- */
    const unsigned char bad_utf8[] = {'G', 'L', 'P', 'I', '-', 0xC3, 0x28};
    s = glpi_verify(verifier, bad_utf8, sizeof bad_utf8, valid->now, 0, NULL, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_INVALID_UTF8, "invalid utf-8: %s", glpi_status_name(s));
    s = glpi_verify(verifier, (const uint8_t *)"", 0, valid->now, 0, NULL, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_EMPTY, "empty: %s", glpi_status_name(s));
    static unsigned char huge[1 << 20];
    memset(huge, 'A', sizeof huge);
    s = glpi_verify(verifier, huge, sizeof huge, valid->now, 0, NULL, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_TOO_LONG, "over-long: %s", glpi_status_name(s));
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, 9, NULL, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_INVALID_ARGUMENT, "bad kind: %s", glpi_status_name(s));
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, 0, NULL, "ten", &lic, &err);
    CHECK(s == GLPI_STATUS_INVALID_ARGUMENT, "bad version: %s", glpi_status_name(s));
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, 0, NULL, "10.0.17", &lic, &err);
    CHECK(s == GLPI_STATUS_OK || s == GLPI_STATUS_UNSUPPORTED_GLPI_VERSION, "patch version: %s",
          glpi_status_name(s));

    /* ---- weak and malformed trusted keys ---- */
    {
        GlpiVerifier *v2 = (GlpiVerifier *)1;
        unsigned char two[2 * GLPI_PUBLIC_KEY_LEN];
        memcpy(two, trust, GLPI_PUBLIC_KEY_LEN);
        memset(two + GLPI_PUBLIC_KEY_LEN, 0, GLPI_PUBLIC_KEY_LEN);
        s = glpi_verifier_new(two, 2, &v2, &err);
        CHECK(s == GLPI_STATUS_TRUSTED_KEY_SMALL_ORDER && err.position == 2 && v2 == NULL,
              "weak key: %s at %zu", glpi_status_name(s), err.position);
        printf("weak key message: %s\n", err.message);
        memcpy(two + GLPI_PUBLIC_KEY_LEN, trust, GLPI_PUBLIC_KEY_LEN);
        s = glpi_verifier_new(two, 2, &v2, &err);
        CHECK(s == GLPI_STATUS_DUPLICATE_TRUSTED_KEY, "duplicate: %s", glpi_status_name(s));
        s = glpi_verifier_new(two, 0, &v2, &err);
        CHECK(s == GLPI_STATUS_NO_TRUSTED_KEYS, "no keys: %s", glpi_status_name(s));
        s = glpi_verifier_new(two, GLPI_MAX_TRUSTED_KEYS + 1, &v2, &err);
        CHECK(s == GLPI_STATUS_TOO_MANY_TRUSTED_KEYS, "too many: %s", glpi_status_name(s));
    }

    /* ---- message copying, snprintf-style ---- */
    {
        s = verify_vector(verifier, expiring, expiring->expires_at, &lic, &err);
        char small[16];
        size_t full = glpi_error_message(&err, small, sizeof small);
        CHECK(full == strlen(err.message) && strlen(small) == 15 &&
                  strncmp(small, err.message, 15) == 0,
              "message copy: %zu '%s'", full, small);
        CHECK(glpi_error_message(&err, NULL, 0) == full, "message measure");
        CHECK(strcmp(glpi_status_name(9999), "unknown-status") == 0, "unknown status name");
    }

    /* ---- one verifier, four threads at once ---- */
    {
        pthread_t threads[4];
        Job jobs[4];
        for (int i = 0; i < 4; i++) {
            jobs[i] = (Job){verifier, valid, 0};
            pthread_create(&threads[i], NULL, verify_many, &jobs[i]);
        }
        for (int i = 0; i < 4; i++) {
            pthread_join(threads[i], NULL);
            CHECK(jobs[i].ok == 200, "thread %d: %d/200", i, jobs[i].ok);
        }
    }

    glpi_verifier_free(verifier);
    printf("C: %d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
