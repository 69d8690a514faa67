/*
 * fuzz_proto.c — libFuzzer harness for the protocol parser (rq_proto.c).
 *
 * Every input is treated twice: as a startup-phase byte stream and as a
 * stream of regular messages, each framed message handed to the parser of
 * its type. Any crash, overread or UB (built with ASan+UBSan) is a bug: the
 * parser faces the network.
 *
 * Build and run: make fuzz  (clang -fsanitize=fuzzer,address,undefined)
 */
#include <stddef.h>
#include <stdint.h>

#include "rq_proto.h"

static void startup_phase(const uint8_t *p, size_t n) {
    rq_error err;
    size_t len;
    while (rq_proto_startup_frame(p, n, &len, &err) == RQ_OK) {
        rq_startup st;
        if (rq_proto_parse_startup(p, len, &st, &err) == RQ_OK && st.kind == RQ_SP_STARTUP)
            (void)rq_startup_get(&st, "user");
        p += len;
        n -= len;
    }
}

static void one_message(char type, const uint8_t *b, size_t n) {
    rq_error err;
    const char *s;
    rq_msg_parse mp;
    rq_msg_bind mb;
    rq_msg_target mt;
    rq_msg_execute me;
    switch (type) {
    case 'Q': case 'p': (void)rq_proto_parse_cstring_body(b, n, &s, &err); break;
    case 'P': (void)rq_proto_parse_parse(b, n, &mp, &err); break;
    case 'B':
        if (rq_proto_parse_bind(b, n, &mb, &err) == RQ_OK) {
            /* walk the parameters like the session does */
            rq_reader r;
            rq_reader_init(&r, mb.params, mb.params_len);
            for (int i = 0; i < mb.nparams; i++) {
                int32_t len = rq_rd_i32(&r);
                if (len > 0) (void)rq_rd_bytes(&r, (size_t)len);
                (void)rq_bind_format(mb.formats, mb.nformats, i);
            }
        }
        break;
    case 'D': case 'C': (void)rq_proto_parse_target(b, n, &mt, &err); break;
    case 'E': (void)rq_proto_parse_execute(b, n, &me, &err); break;
    default: break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    startup_phase(data, size);
    rq_error err;
    char type;
    const uint8_t *body;
    size_t blen, total;
    while (rq_proto_frame(data, size, 1u << 20, &type, &body, &blen, &total, &err) == RQ_OK) {
        one_message(type, body, blen);
        data += total;
        size -= total;
    }
    return 0;
}
