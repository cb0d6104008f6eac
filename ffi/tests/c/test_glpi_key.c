/* C test of the glpi-key C API, compiled with gcc against ffi/include/glpi_key.h.
 *
 * Usage: test_glpi_key <vectors.tsv> <site-scenarios.tsv>
 *   (made by vectors-to-tsv.mjs from spec/vectors/keys.json and by site-scenarios-to-tsv.mjs
 *   from spec/vectors/site-scenarios.json)
 *
 * Runs every key vector and checks its outcome (and, for valid keys, serial, tier, owner,
 * expiry and instance binding), then every valid key bound to an instance given without one:
 * refused with instance-required, accepted only with GLPI_INSECURE_SKIP_INSTANCE_BINDING and
 * its instance_not_checked, accepted with its instance, the flag and an instance together
 * refused. Then the boundary cases: a typo with its suggestion, a tampered key, an expired key,
 * NULL pointers, invalid UTF-8, empty and over-long input, the required kind, weak trusted keys,
 * message copying, and concurrent verification with one verifier.
 *
 * Then the site (glpi_site_*): every step of every site scenario on a site directory (the
 * shared contract of every implementation), explicit cases with their fields (an older list
 * refused and the installed one kept, a revoked key, the clock set back, grace reported, a
 * bound key without instance refused and accepted only with the insecure flag and its
 * warning), a damaged state file, threads sharing one handle, and two PROCESSES (fork) using
 * one site directory at once, after which nothing is lost. Exits non-zero on any failure. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
    unsigned char bound[16]; /* the instance the key's claims are bound to, when has_bound */
    int has_bound;
    unsigned char key[8192];
    size_t key_len;
} Vector;

static int parse_vector(char *line, Vector *v) {
    char *f[12];
    int n = 0;
    for (char *tok = strtok(line, "\t\n"); tok && n < 12; tok = strtok(NULL, "\t\n")) f[n++] = tok;
    if (n != 12) return -1;
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
    v->has_bound = strcmp(f[10], "-") != 0;
    if (v->has_bound && unhex(f[10], v->bound, 16) != 16) return -1;
    long key_len = unhex(f[11], v->key, sizeof v->key);
    if (key_len < 0) return -1;
    v->key_len = (size_t)key_len;
    return 0;
}

/* The vectors check no instance binding unless they give an instance: say so explicitly with
 * the insecure flag (without it, a bound key is refused: checked in main). */
static GlpiStatus verify_vector(const GlpiVerifier *verifier, const Vector *v, uint64_t now,
                                GlpiLicense *lic, GlpiError *err) {
    return glpi_verify(verifier, v->key, v->key_len, now, v->kind,
                       v->has_instance ? v->instance : NULL,
                       v->has_instance ? 0 : GLPI_INSECURE_SKIP_INSTANCE_BINDING,
                       v->has_version ? v->version : NULL, lic, err);
}

/* A UUID in its text form (8-4-4-4-12 lowercase hex), as messages print it. */
static void uuid_text(const unsigned char id[16], char out[37]) {
    size_t at = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[at++] = '-';
        snprintf(out + at, 3, "%02x", id[i]);
        at += 2;
    }
    out[at] = '\0';
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

static int site_tests(const char *path);

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <vectors.tsv> <site-scenarios.tsv>\n", argv[0]);
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
                 strncmp(lic.short_id, "GLPI-", 5) == 0 && strlen(lic.short_id) == 24 &&
                 lic.has_instance == (bool)v->has_bound &&
                 (!v->has_bound || memcmp(lic.instance, v->bound, 16) == 0) &&
                 /* unchecked exactly when bound and verified without an instance */
                 lic.instance_not_checked == (bool)(v->has_bound && !v->has_instance);
            /* The boundary cases below pass no instance: they need a key bound to none. */
            if (!valid && !v->has_bound) valid = v;
            if (!expiring && v->has_expires_at) expiring = v;
        }
        if (ok && s != GLPI_STATUS_OK) ok = strlen(err.message) > 20;
        CHECK(ok, "vector %s: expected %s, got %s (%s)", v->name, v->expect, got, err.message);
        agreed += ok;
    }
    printf("C: %zu/%zu vectors agree\n", agreed, count);
    CHECK(valid != NULL && expiring != NULL, "the vectors have no valid (unbound, expiring) key");
    if (!valid || !expiring) return 1;

    GlpiLicense lic;

    /* ---- a key bound to an instance: refused without one unless the insecure flag says so ---- */
    {
        size_t bound = 0;
        for (size_t i = 0; i < count; i++) {
            const Vector *v = &vectors[i];
            if (strcmp(v->expect, "valid") != 0 || !v->has_bound || v->has_instance) continue;
            bound++;
            const char *version = v->has_version ? v->version : NULL;
            char uuid[37];
            uuid_text(v->bound, uuid);
            memset(&lic, 0, sizeof lic);
            s = glpi_verify(verifier, v->key, v->key_len, v->now, v->kind, NULL, 0, version, &lic, &err);
            CHECK(s == GLPI_STATUS_INSTANCE_REQUIRED && err.status == s && strstr(err.message, uuid) &&
                      lic.serial == 0,
                  "%s without instance: %s (%s)", v->name, glpi_status_name(s), err.message);
            if (bound == 1) printf("stateless instance required message: %s\n", err.message);
            s = glpi_verify(verifier, v->key, v->key_len, v->now, v->kind, NULL,
                            GLPI_INSECURE_SKIP_INSTANCE_BINDING, version, &lic, &err);
            CHECK(s == GLPI_STATUS_OK && lic.instance_not_checked && lic.has_instance &&
                      memcmp(lic.instance, v->bound, 16) == 0 && lic.serial == v->serial,
                  "%s with the insecure flag: %s (%s)", v->name, glpi_status_name(s), err.message);
            s = glpi_verify(verifier, v->key, v->key_len, v->now, v->kind, v->bound, 0, version, &lic, &err);
            CHECK(s == GLPI_STATUS_OK && !lic.instance_not_checked, "%s with its instance: %s (%s)",
                  v->name, glpi_status_name(s), err.message);
            s = glpi_verify(verifier, v->key, v->key_len, v->now, v->kind, v->bound,
                            GLPI_INSECURE_SKIP_INSTANCE_BINDING, version, &lic, &err);
            CHECK(s == GLPI_STATUS_INVALID_ARGUMENT && strstr(err.message, "both given"),
                  "%s with instance and flag: %s (%s)", v->name, glpi_status_name(s), err.message);
        }
        CHECK(bound >= 10, "only %zu bound valid vectors", bound);
        printf("C: %zu bound keys refused without instance, accepted with the insecure flag\n", bound);
        /* An unbound key needs no instance and no flag, and is never "not checked". */
        for (uint32_t flags = 0; flags <= GLPI_INSECURE_SKIP_INSTANCE_BINDING; flags++) {
            s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, valid->kind, NULL, flags,
                            valid->has_version ? valid->version : NULL, &lic, &err);
            CHECK(s == GLPI_STATUS_OK && !lic.has_instance && !lic.instance_not_checked,
                  "unbound key, flags %u: %s (%s)", (unsigned)flags, glpi_status_name(s), err.message);
        }
        /* Unknown flag bits are refused, saying which. */
        s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, valid->kind, NULL, 2, NULL, &lic, &err);
        CHECK(s == GLPI_STATUS_INVALID_ARGUMENT && strstr(err.message, "unknown bits"), "flag 2: %s (%s)",
              glpi_status_name(s), err.message);
    }

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
    s = glpi_verify(NULL, valid->key, valid->key_len, valid->now, valid->kind, NULL, 0, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_NULL_POINTER && strstr(err.message, "verifier"), "null verifier");
    s = glpi_verify(verifier, NULL, valid->key_len, valid->now, valid->kind, NULL, 0, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_NULL_POINTER && strstr(err.message, "text"), "null text");
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, valid->kind, NULL, 0, NULL, NULL, &err);
    CHECK(s == GLPI_STATUS_NULL_POINTER && strstr(err.message, "license"), "null license");
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, valid->kind, NULL, 0, NULL, &lic, NULL);
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
    s = glpi_verify(verifier, bad_utf8, sizeof bad_utf8, valid->now, valid->kind, NULL, 0, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_INVALID_UTF8, "invalid utf-8: %s", glpi_status_name(s));
    s = glpi_verify(verifier, (const uint8_t *)"", 0, valid->now, valid->kind, NULL, 0, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_EMPTY, "empty: %s", glpi_status_name(s));
    static unsigned char huge[1 << 20];
    memset(huge, 'A', sizeof huge);
    s = glpi_verify(verifier, huge, sizeof huge, valid->now, valid->kind, NULL, 0, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_TOO_LONG, "over-long: %s", glpi_status_name(s));
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, 9, NULL, 0, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_INVALID_ARGUMENT, "bad kind: %s", glpi_status_name(s));
    /* There is no "any kind": 0 is refused like any unknown value, saying what to pass. */
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, 0, NULL, 0, NULL, &lic, &err);
    CHECK(s == GLPI_STATUS_INVALID_ARGUMENT && strstr(err.message, "GLPI_KIND_INSTANCE_REGISTRATION"),
          "kind 0: %s (%s)", glpi_status_name(s), err.message);
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, valid->kind, NULL, 0, "ten", &lic, &err);
    CHECK(s == GLPI_STATUS_INVALID_ARGUMENT, "bad version: %s", glpi_status_name(s));
    s = glpi_verify(verifier, valid->key, valid->key_len, valid->now, valid->kind, NULL, 0, "10.0.17", &lic, &err);
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
    if (site_tests(argv[2]) != 0) return 2;
    printf("C: %d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}

/* ================================ the site ================================ */

enum { MAX_NAMED = 32, MAX_TEXT = 1024, FORK_ROUNDS = 40 };

typedef struct Named {
    char name[64];
    char text[MAX_TEXT];
} Named;

typedef struct SiteData {
    Named issuers[4], keys[MAX_NAMED], lists[MAX_NAMED];
    size_t n_issuers, n_keys, n_lists;
} SiteData;

static SiteData data;

static const char *lookup(const Named *table, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0) return table[i].text;
    fprintf(stderr, "site scenarios: unknown name %s\n", name);
    exit(2);
}

static const char *key_text(const char *name) { return lookup(data.keys, data.n_keys, name); }
static const char *list_text(const char *name) { return lookup(data.lists, data.n_lists, name); }

static void issuer_key(const char *name, unsigned char out[GLPI_PUBLIC_KEY_LEN]) {
    if (unhex(lookup(data.issuers, data.n_issuers, name), out, GLPI_PUBLIC_KEY_LEN) != GLPI_PUBLIC_KEY_LEN) {
        fprintf(stderr, "bad issuer key %s\n", name);
        exit(2);
    }
}

/* An absent value is "-". */
static uint64_t opt_u64(const char *field, bool *has) {
    *has = strcmp(field, "-") != 0;
    return *has ? strtoull(field, NULL, 10) : 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tree(const char *dir) { nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS); }

/* A new, empty directory for a site; the site is created inside it, at <tmp>/site. */
static void new_site_dir(char *out, size_t cap) {
    char tmpl[] = "/tmp/glpi-c-site-XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(out, cap, "%s/site", tmpl);
}

static void drop_site_dir(const char *site_dir) {
    char parent[256];
    snprintf(parent, sizeof parent, "%s", site_dir);
    char *slash = strrchr(parent, '/');
    if (slash) *slash = '\0';
    remove_tree(parent);
}

static GlpiSite *create_site(const char *dir, const char *issuer, uint64_t grace, uint64_t tolerance) {
    unsigned char pub[GLPI_PUBLIC_KEY_LEN];
    issuer_key(issuer, pub);
    GlpiSite *site = NULL;
    GlpiError err;
    GlpiStatus s = glpi_site_create(dir, pub, 1, grace, tolerance, &site, &err);
    CHECK(s == GLPI_STATUS_OK && site != NULL, "create site: %s", err.message);
    if (!site) exit(1);
    return site;
}

/* The id of a trusted issuer key, read back from the site's status. */
static int key_id_of(const GlpiSite *site, const char *issuer, uint8_t id[GLPI_KEY_ID_LEN]) {
    unsigned char pub[GLPI_PUBLIC_KEY_LEN];
    issuer_key(issuer, pub);
    static GlpiSiteStatus st;
    GlpiError err;
    if (glpi_site_status(site, &st, &err) != GLPI_STATUS_OK) return -1;
    for (size_t i = 0; i < st.trusted_key_count; i++)
        if (memcmp(st.trusted_keys[i].public_key, pub, GLPI_PUBLIC_KEY_LEN) == 0) {
            memcpy(id, st.trusted_key_ids[i], GLPI_KEY_ID_LEN);
            return 0;
        }
    return -1;
}

static GlpiStatus install(const GlpiSite *site, const char *list, uint64_t now, GlpiInstallInfo *info,
                          GlpiError *err) {
    return glpi_site_install_revocations(site, (const uint8_t *)list, strlen(list), now, info, err);
}

static GlpiStatus site_verify(const GlpiSite *site, const char *key, uint64_t now, uint32_t kind,
                              const uint8_t *instance, uint32_t flags, const char *glpi,
                              GlpiLicense *lic, GlpiSiteWarnings *w, GlpiError *err) {
    return glpi_site_verify(site, (const uint8_t *)key, strlen(key), kind, instance, flags, glpi, now,
                            lic, w, err);
}

/* The warnings' names, alphabetical, comma-separated ("-" for none), as in the scenarios. */
static void warning_names(const GlpiSiteWarnings *w, char *out, size_t cap) {
    out[0] = '\0';
    const char *names[4] = {"in-grace", "instance-not-checked", "list-update-due", "no-revocation-list"};
    bool on[4] = {w->in_grace, w->instance_not_checked, w->list_update_due, w->no_revocation_list};
    for (int i = 0; i < 4; i++)
        if (on[i]) {
            if (out[0]) strncat(out, ",", cap - strlen(out) - 1);
            strncat(out, names[i], cap - strlen(out) - 1);
        }
    if (!out[0]) snprintf(out, cap, "-");
}

/* Runs one scenario step; returns 1 when it gave the expected outcome. */
static int run_step(GlpiSite **site, const char *dir, char **f, int n, const char *where) {
    GlpiError err;
    GlpiStatus s;
    if (n == 0) {
        fprintf(stderr, "%s: empty step\n", where);
        exit(2);
    }
    const char *op = f[0];
    if (strcmp(op, "install") == 0 && n == 4) {
        GlpiInstallInfo info;
        s = install(*site, list_text(f[1]), strtoull(f[2], NULL, 10), &info, &err);
        const char *got = s != GLPI_STATUS_OK ? glpi_status_name(s) : info.is_new ? "installed" : "unchanged";
        CHECK(strcmp(got, f[3]) == 0, "%s: install %s: expected %s, got %s (%s)", where, f[1], f[3], got,
              err.message);
        return strcmp(got, f[3]) == 0;
    }
    if (strcmp(op, "verify") == 0 && n == 10) {
        uint8_t instance[16];
        bool has_instance = strcmp(f[4], "-") != 0;
        if (has_instance && unhex(f[4], instance, 16) != 16) exit(2);
        uint32_t flags = strcmp(f[5], "1") == 0 ? GLPI_INSECURE_SKIP_INSTANCE_BINDING : 0;
        const char *glpi = strcmp(f[6], "-") == 0 ? NULL : f[6];
        GlpiLicense lic;
        GlpiSiteWarnings w;
        s = site_verify(*site, key_text(f[1]), strtoull(f[2], NULL, 10), (uint32_t)strtoul(f[3], NULL, 10),
                        has_instance ? instance : NULL, flags, glpi, &lic, &w, &err);
        int ok = strcmp(glpi_status_name(s), f[7]) == 0;
        if (ok && s == GLPI_STATUS_OK) {
            char names[128];
            warning_names(&w, names, sizeof names);
            ok = lic.tier <= GLPI_TIER_ADVANCED && strcmp(TIERS[lic.tier], f[8]) == 0 && strcmp(names, f[9]) == 0;
            CHECK(ok, "%s: verify %s: tier %s warnings %s, expected %s %s", where, f[1], TIERS[lic.tier], names,
                  f[8], f[9]);
        } else {
            CHECK(ok, "%s: verify %s: expected %s, got %s (%s)", where, f[1], f[7], glpi_status_name(s),
                  err.message);
        }
        if (ok && s != GLPI_STATUS_OK) CHECK(strlen(err.message) > 20, "%s: a message says what to do", where);
        return ok;
    }
    if (strcmp(op, "distrust") == 0 && n == 4) {
        uint8_t id[GLPI_KEY_ID_LEN];
        uint64_t in_force = 0;
        int ok = key_id_of(*site, f[1], id) == 0 &&
                 glpi_site_distrust(*site, id, strtoull(f[2], NULL, 10), &in_force, &err) == GLPI_STATUS_OK &&
                 in_force <= strtoull(f[2], NULL, 10) && strcmp(f[3], "ok") == 0;
        CHECK(ok, "%s: distrust %s: %s", where, f[1], err.message);
        return ok;
    }
    if (strcmp(op, "reopen") == 0 && n == 2) {
        glpi_site_free(*site);
        *site = NULL;
        s = glpi_site_open(dir, site, &err);
        CHECK(s == GLPI_STATUS_OK && *site != NULL, "%s: reopen: %s", where, err.message);
        if (!*site) exit(1);
        return s == GLPI_STATUS_OK;
    }
    if (strcmp(op, "status") == 0 && n == 5) {
        static GlpiSiteStatus st;
        s = glpi_site_status(*site, &st, &err);
        bool has_mark;
        uint64_t mark = opt_u64(f[1], &has_mark);
        int ok = s == GLPI_STATUS_OK && st.has_clock_mark == has_mark && (!has_mark || st.clock_mark == mark);
        /* sequences: ISSUER=N,... */
        size_t expected_lists = 0;
        if (strcmp(f[2], "-") != 0) {
            char seqs[256];
            snprintf(seqs, sizeof seqs, "%s", f[2]);
            char *save = NULL;
            for (char *e = strtok_r(seqs, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(e, '=');
                if (!eq) exit(2);
                *eq = '\0';
                uint8_t id[GLPI_KEY_ID_LEN];
                int found = 0;
                if (key_id_of(*site, e, id) == 0)
                    for (size_t i = 0; i < st.list_count; i++)
                        if (memcmp(st.lists[i].issuer_key_id, id, GLPI_KEY_ID_LEN) == 0)
                            found = st.lists[i].sequence == strtoull(eq + 1, NULL, 10);
                ok = ok && found;
                expected_lists++;
            }
        }
        ok = ok && st.list_count == expected_lists;
        size_t expected_superseded = 0;
        if (strcmp(f[3], "-") != 0) {
            char sup[256];
            snprintf(sup, sizeof sup, "%s", f[3]);
            char *save = NULL;
            for (char *e = strtok_r(sup, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
                ok = ok && expected_superseded < st.superseded_count &&
                     st.superseded[expected_superseded].serial == strtoull(e, NULL, 10);
                expected_superseded++;
            }
        }
        ok = ok && st.superseded_count == expected_superseded;
        CHECK(ok, "%s: status: mark %llu lists %zu superseded %zu, expected %s %s %s", where,
              (unsigned long long)st.clock_mark, st.list_count, st.superseded_count, f[1], f[2], f[3]);
        return ok;
    }
    fprintf(stderr, "%s: malformed step %s with %d fields\n", where, op, n);
    exit(2);
}

/* Every scenario of spec/vectors/site-scenarios.json, each on a new site directory. */
static void run_scenarios(char **lines, size_t count) {
    size_t scenarios = 0, steps = 0, agreed = 0;
    for (size_t i = 0; i < count; i++) {
        char *f[12] = {0};
        int n = 0;
        for (char *tok = strtok(lines[i], "\t\n"); tok && n < 12; tok = strtok(NULL, "\t\n")) f[n++] = tok;
        if (n == 0 || strcmp(f[0], "scenario") != 0) continue;
        if (n != 4) exit(2);
        char name[64];
        snprintf(name, sizeof name, "%s", f[1]);
        uint64_t grace = strtoull(f[2], NULL, 10), tolerance = strtoull(f[3], NULL, 10);
        GlpiTrustedKey keys[GLPI_MAX_TRUSTED_KEYS];
        size_t n_keys = 0;
        for (; i + 1 < count && strncmp(lines[i + 1], "trust\t", 6) == 0 && n_keys < GLPI_MAX_TRUSTED_KEYS; i++) {
            char *t[5];
            int m = 0;
            for (char *tok = strtok(lines[i + 1], "\t\n"); tok && m < 5; tok = strtok(NULL, "\t\n")) t[m++] = tok;
            if (m != 5) exit(2);
            GlpiTrustedKey *k = &keys[n_keys++];
            memset(k, 0, sizeof *k);
            issuer_key(t[1], k->public_key);
            k->valid_from = opt_u64(t[2], &k->has_valid_from);
            k->valid_until = opt_u64(t[3], &k->has_valid_until);
            k->distrusted_from = opt_u64(t[4], &k->has_distrusted_from);
        }
        char dir[256];
        new_site_dir(dir, sizeof dir);
        GlpiSite *site = NULL;
        GlpiError err;
        GlpiStatus s = glpi_site_create_with_keys(dir, keys, n_keys, grace, tolerance, &site, &err);
        CHECK(s == GLPI_STATUS_OK, "scenario %s: create: %s", name, err.message);
        if (s != GLPI_STATUS_OK) exit(1);
        scenarios++;
        int step = 0;
        for (i++; i < count; i++) {
            char *g[12] = {0};
            int m = 0;
            for (char *tok = strtok(lines[i], "\t\n"); tok && m < 12; tok = strtok(NULL, "\t\n")) g[m++] = tok;
            if (m == 1 && strcmp(g[0], "end") == 0) break;
            char where[128];
            snprintf(where, sizeof where, "scenario %s step %d", name, ++step);
            agreed += (size_t)run_step(&site, dir, g, m, where);
            steps++;
        }
        glpi_site_free(site);
        drop_site_dir(dir);
    }
    printf("C: %zu/%zu site scenario steps agree (%zu scenarios)\n", agreed, steps, scenarios);
    CHECK(scenarios >= 9 && steps >= 60, "too few site scenarios: %zu, %zu steps", scenarios, steps);
}

/* The cases the issue names, with their fields, on named keys and lists of the scenarios. */
static void explicit_cases(void) {
    const uint64_t now = 1814400000; /* 2027-06-30 */
    char dir[256];
    GlpiError err;
    GlpiInstallInfo info;
    GlpiLicense lic;
    GlpiSiteWarnings w;
    static GlpiSiteStatus st;
    GlpiStatus s;

    new_site_dir(dir, sizeof dir);
    GlpiSite *site = create_site(dir, "B", 0, 600);
    /* An older list is refused; the installed one stays. */
    s = install(site, list_text("b5"), now, &info, &err);
    CHECK(s == GLPI_STATUS_OK && info.is_new && info.list.sequence == 5, "install b5: %s", err.message);
    s = install(site, list_text("b5"), now, &info, &err);
    CHECK(s == GLPI_STATUS_OK && !info.is_new && info.list.sequence == 5, "b5 again: %s", err.message);
    s = install(site, list_text("b4"), now, &info, &err);
    CHECK(s == GLPI_STATUS_REVOCATION_LIST_ROLLBACK && s == 23, "older list: %s", glpi_status_name(s));
    printf("older list message: %s\n", err.message);
    s = glpi_site_status(site, &st, &err);
    CHECK(s == GLPI_STATUS_OK && st.list_count == 1 && st.lists[0].sequence == 5, "b5 stays installed");
    /* A revoked key is refused. */
    s = site_verify(site, key_text("revoked-by-b5"), now, GLPI_KIND_INSTANCE_REGISTRATION, NULL, 0, NULL, &lic, &w,
                    &err);
    CHECK(s == GLPI_STATUS_REVOKED && strstr(err.message, "revoked"), "revoked key: %s", glpi_status_name(s));
    s = site_verify(site, key_text("good"), now, GLPI_KIND_INSTANCE_REGISTRATION, NULL, 0, NULL, &lic, &w, &err);
    CHECK(s == GLPI_STATUS_OK && !w.no_revocation_list && w.checked_at == now, "good key: %s", err.message);
    /* The clock set back beyond the tolerance is refused, and the mark stays. */
    s = site_verify(site, key_text("good"), now - 601, GLPI_KIND_INSTANCE_REGISTRATION, NULL, 0, NULL, &lic, &w,
                    &err);
    CHECK(s == GLPI_STATUS_CLOCK_ROLLBACK, "clock set back: %s", glpi_status_name(s));
    printf("clock set back message: %s\n", err.message);
    s = glpi_site_status(site, &st, &err);
    CHECK(st.has_clock_mark && st.clock_mark == now, "clock mark %llu", (unsigned long long)st.clock_mark);
    /* A bound key without instance is refused; with the explicit insecure flag, accepted with
     * its warning; the flag and an instance together are refused. */
    const char *bound = key_text("bound");
    s = site_verify(site, bound, now, GLPI_KIND_INSTANCE_REGISTRATION, NULL, 0, NULL, &lic, &w, &err);
    CHECK(s == GLPI_STATUS_INSTANCE_REQUIRED, "bound key without instance: %s", glpi_status_name(s));
    printf("instance required message: %s\n", err.message);
    s = site_verify(site, bound, now, GLPI_KIND_INSTANCE_REGISTRATION, NULL,
                    GLPI_INSECURE_SKIP_INSTANCE_BINDING, NULL, &lic, &w, &err);
    CHECK(s == GLPI_STATUS_OK && w.instance_not_checked && lic.has_instance, "insecure flag: %s", err.message);
    s = site_verify(site, bound, now, GLPI_KIND_INSTANCE_REGISTRATION, lic.instance,
                    GLPI_INSECURE_SKIP_INSTANCE_BINDING, NULL, &lic, &w, &err);
    CHECK(s == GLPI_STATUS_INVALID_ARGUMENT, "flag with instance: %s", glpi_status_name(s));
    /* The kind is required. */
    s = site_verify(site, key_text("good"), now, 0, NULL, 0, NULL, &lic, &w, &err);
    CHECK(s == GLPI_STATUS_INVALID_ARGUMENT, "kind 0: %s", glpi_status_name(s));
    s = site_verify(site, key_text("agent"), now, GLPI_KIND_INSTANCE_REGISTRATION, NULL, 0, NULL, &lic, &w, &err);
    CHECK(s == GLPI_STATUS_WRONG_OBJECT_KIND, "agent key as registration: %s", glpi_status_name(s));
    glpi_site_free(site);
    drop_site_dir(dir);

    /* Grace: an expired key within the grace period is valid, with the warning and its end. */
    new_site_dir(dir, sizeof dir);
    site = create_site(dir, "B", 2592000, 600);
    s = install(site, list_text("b7-next"), 1827619200, &info, &err);
    CHECK(s == GLPI_STATUS_OK && info.list.has_next_update, "install b7-next: %s", err.message);
    s = site_verify(site, key_text("expires-2028"), 1831075200, GLPI_KIND_INSTANCE_REGISTRATION, NULL, 0, NULL,
                    &lic, &w, &err);
    CHECK(s == GLPI_STATUS_OK && w.in_grace && lic.has_expires_at && w.in_grace_until == lic.expires_at + 2592000 &&
              w.list_update_due && w.list_update_due_at == info.list.next_update,
          "grace: %s in_grace %d until %llu", glpi_status_name(s), w.in_grace, (unsigned long long)w.in_grace_until);
    s = site_verify(site, key_text("expires-2028"), lic.expires_at + 2592000, GLPI_KIND_INSTANCE_REGISTRATION, NULL,
                    0, NULL, &lic, &w, &err);
    CHECK(s == GLPI_STATUS_EXPIRED, "after grace: %s", glpi_status_name(s));
    glpi_site_free(site);

    /* A damaged state file: a clear status and message, never a reset. */
    char state[300];
    snprintf(state, sizeof state, "%s/state", dir);
    FILE *fp = fopen(state, "r+b");
    CHECK(fp != NULL, "open %s", state);
    if (fp) {
        fseek(fp, 20, SEEK_SET);
        int c = fgetc(fp);
        fseek(fp, 20, SEEK_SET);
        fputc(c ^ 0x40, fp);
        fclose(fp);
    }
    site = (GlpiSite *)&info; /* must be reset to NULL */
    s = glpi_site_open(dir, &site, &err);
    CHECK(s == GLPI_STATUS_SITE_STATE_CORRUPTED && site == NULL && strstr(err.message, state),
          "damaged state: %s (%s)", glpi_status_name(s), err.message);
    printf("damaged state message: %s\n", err.message);
    drop_site_dir(dir);

    /* Arguments. */
    s = glpi_site_open(dir, &site, &err);
    CHECK(s == GLPI_STATUS_NOT_A_SITE, "missing directory: %s", glpi_status_name(s));
    s = glpi_site_open(NULL, &site, &err);
    CHECK(s == GLPI_STATUS_NULL_POINTER, "NULL dir: %s", glpi_status_name(s));
    s = glpi_site_open("/tmp/glpi-\xff", &site, &err);
    CHECK(s == GLPI_STATUS_INVALID_UTF8, "non-UTF-8 dir: %s", glpi_status_name(s));
    s = site_verify(NULL, "x", now, 1, NULL, 0, NULL, &lic, &w, &err);
    CHECK(s == GLPI_STATUS_NULL_POINTER, "NULL site: %s", glpi_status_name(s));
    glpi_site_free(NULL);
    CHECK(strcmp(glpi_status_name(GLPI_STATUS_SITE_STATE_CORRUPTED), "site-state-corrupted") == 0 &&
              strcmp(glpi_status_name(GLPI_STATUS_INSTANCE_REQUIRED), "instance-required") == 0 &&
              strcmp(glpi_status_name(GLPI_STATUS_REVOCATION_LIST_ROLLBACK), "revocation-list-rollback") == 0,
          "status names");
}

/* ---- concurrency: threads on one handle, then two processes on one directory ---- */
typedef struct SiteJob {
    const GlpiSite *site;
    uint64_t base;
    int offset, bad;
} SiteJob;

static const char *FORK_LISTS[] = {"b1", "b4", "b5", "b6"};

/* Installs lists and verifies a key `rounds` times; returns how many outcomes were wrong. */
static int hammer(const GlpiSite *site, uint64_t base, int offset, int rounds) {
    int bad = 0;
    for (int i = 0; i < rounds; i++) {
        GlpiError err;
        GlpiInstallInfo info;
        GlpiLicense lic;
        GlpiSiteWarnings w;
        GlpiStatus s = install(site, list_text(FORK_LISTS[(i + offset) % 4]), base, &info, &err);
        if (s != GLPI_STATUS_OK && s != GLPI_STATUS_REVOCATION_LIST_ROLLBACK) {
            fprintf(stderr, "worker %d round %d: install: %s\n", offset, i, err.message);
            bad++;
        }
        /* Times interleave between workers, all within the clock tolerance. */
        s = site_verify(site, key_text("good"), base + 2 * (uint64_t)i + (uint64_t)offset,
                        GLPI_KIND_INSTANCE_REGISTRATION, NULL, 0, NULL, &lic, &w, &err);
        if (s != GLPI_STATUS_OK && s != GLPI_STATUS_REVOKED) {
            fprintf(stderr, "worker %d round %d: verify: %s\n", offset, i, err.message);
            bad++;
        }
    }
    return bad;
}

/* One of two processes: process 0 installs b1, b4, b5 and b6 once each (rounds 0, 10, 20, 30),
 * both verify a key every round at interleaved times. A lost update would show afterwards as an
 * older sequence (b6 is installed only once) or a lower clock mark. Returns the wrong outcomes. */
static int process_worker(const GlpiSite *site, uint64_t base, int p) {
    int bad = 0;
    for (int i = 0; i < FORK_ROUNDS; i++) {
        GlpiError err;
        GlpiInstallInfo info;
        GlpiLicense lic;
        GlpiSiteWarnings w;
        GlpiStatus s;
        if (p == 0 && i % 10 == 0) {
            s = install(site, list_text(FORK_LISTS[i / 10]), base, &info, &err);
            if (s != GLPI_STATUS_OK || !info.is_new) {
                fprintf(stderr, "process 0 round %d: install %s: %s\n", i, FORK_LISTS[i / 10], err.message);
                bad++;
            }
        }
        s = site_verify(site, key_text("good"), base + 2 * (uint64_t)i + (uint64_t)p,
                        GLPI_KIND_INSTANCE_REGISTRATION, NULL, 0, NULL, &lic, &w, &err);
        if (s != GLPI_STATUS_OK && s != GLPI_STATUS_REVOKED) {
            fprintf(stderr, "process %d round %d: verify: %s\n", p, i, err.message);
            bad++;
        }
    }
    return bad;
}

static void *site_thread(void *arg) {
    SiteJob *job = arg;
    job->bad = hammer(job->site, job->base, job->offset, 10);
    return NULL;
}

static void concurrency(void) {
    const uint64_t base = 1814400000;
    char dir[256];
    GlpiError err;
    static GlpiSiteStatus st;
    GlpiLicense lic;
    GlpiSiteWarnings w;

    /* Four threads, one handle. */
    new_site_dir(dir, sizeof dir);
    GlpiSite *site = create_site(dir, "B", 0, 600);
    pthread_t threads[4];
    SiteJob jobs[4];
    for (int t = 0; t < 4; t++) {
        jobs[t] = (SiteJob){site, base, t, 0};
        pthread_create(&threads[t], NULL, site_thread, &jobs[t]);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(threads[t], NULL);
        CHECK(jobs[t].bad == 0, "thread %d: %d wrong outcomes", t, jobs[t].bad);
    }
    GlpiStatus s = glpi_site_status(site, &st, &err);
    CHECK(s == GLPI_STATUS_OK && st.list_count == 1 && st.lists[0].sequence == 6 && st.clock_mark == base + 2 * 9 + 3,
          "threads: sequence %llu mark %llu", (unsigned long long)st.lists[0].sequence,
          (unsigned long long)st.clock_mark);
    glpi_site_free(site);
    drop_site_dir(dir);

    /* Two processes, one directory: each opens its own handle; both start at once (they wait
     * until the parent closes the pipe). */
    new_site_dir(dir, sizeof dir);
    site = create_site(dir, "B", 0, 600);
    glpi_site_free(site);
    fflush(stdout);
    fflush(stderr);
    int start[2];
    if (pipe(start) != 0) {
        perror("pipe");
        exit(2);
    }
    pid_t pids[2];
    for (int p = 0; p < 2; p++) {
        pids[p] = fork();
        if (pids[p] < 0) {
            perror("fork");
            exit(2);
        }
        if (pids[p] == 0) {
            char go;
            close(start[1]);
            if (read(start[0], &go, 1) != 0) _exit(100); /* EOF: the parent closed the pipe */
            GlpiSite *mine = NULL;
            if (glpi_site_open(dir, &mine, &err) != GLPI_STATUS_OK) {
                fprintf(stderr, "child %d: open: %s\n", p, err.message);
                _exit(100);
            }
            int bad = process_worker(mine, base, p);
            glpi_site_free(mine);
            _exit(bad > 99 ? 99 : bad);
        }
    }
    close(start[0]);
    close(start[1]);
    for (int p = 0; p < 2; p++) {
        int wstatus = 0;
        waitpid(pids[p], &wstatus, 0);
        CHECK(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0, "process %d: exit %d", p,
              WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
    }
    site = NULL;
    s = glpi_site_open(dir, &site, &err);
    CHECK(s == GLPI_STATUS_OK, "reopen after the processes: %s", err.message);
    if (!site) exit(1);
    s = glpi_site_status(site, &st, &err);
    uint64_t highest = base + 2 * (FORK_ROUNDS - 1) + 1;
    CHECK(s == GLPI_STATUS_OK && st.list_count == 1 && st.lists[0].sequence == 6 && st.has_clock_mark &&
              st.clock_mark == highest,
          "processes: sequence %llu (want 6) mark %llu (want %llu)", (unsigned long long)st.lists[0].sequence,
          (unsigned long long)st.clock_mark, (unsigned long long)highest);
    s = site_verify(site, key_text("good"), highest, GLPI_KIND_INSTANCE_REGISTRATION, NULL, 0, NULL, &lic, &w, &err);
    CHECK(s == GLPI_STATUS_OK, "after the processes: %s", err.message);
    printf("C: 2 processes x %d verifications (and 4 installs) at once on one site directory: sequence %llu, mark %llu\n",
           FORK_ROUNDS, (unsigned long long)st.lists[0].sequence, (unsigned long long)st.clock_mark);
    glpi_site_free(site);
    drop_site_dir(dir);
}

static int site_tests(const char *path) {
    FILE *in = fopen(path, "r");
    if (!in) {
        perror(path);
        return 2;
    }
    static char buf[2048];
    static char *lines[1024];
    size_t count = 0;
    while (fgets(buf, sizeof buf, in) && count < 1024) {
        size_t len = strlen(buf);
        char *copy = malloc(len + 1);
        if (!copy) return 2;
        memcpy(copy, buf, len + 1);
        char *f[3];
        int n = 0;
        for (char *tok = strtok(buf, "\t\n"); tok && n < 3; tok = strtok(NULL, "\t\n")) f[n++] = tok;
        Named *slot = NULL;
        if (n == 3 && strcmp(f[0], "issuer") == 0 && data.n_issuers < 4) slot = &data.issuers[data.n_issuers++];
        if (n == 3 && strcmp(f[0], "key") == 0 && data.n_keys < MAX_NAMED) slot = &data.keys[data.n_keys++];
        if (n == 3 && strcmp(f[0], "list") == 0 && data.n_lists < MAX_NAMED) slot = &data.lists[data.n_lists++];
        if (slot) {
            snprintf(slot->name, sizeof slot->name, "%s", f[1]);
            snprintf(slot->text, sizeof slot->text, "%s", f[2]);
        }
        lines[count++] = copy;
    }
    fclose(in);
    if (data.n_issuers == 0 || data.n_keys == 0 || data.n_lists == 0) {
        fprintf(stderr, "%s: no issuers, keys or lists\n", path);
        return 2;
    }
    run_scenarios(lines, count);
    for (size_t i = 0; i < count; i++) free(lines[i]);
    explicit_cases();
    concurrency();
    return 0;
}
