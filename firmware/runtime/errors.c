/* Error reporting: the first failure of a load or invoke sets the status (code and a message
 * naming the op and tensor), later ones keep it. */
#include "internal.h"
#include "names.h"

int cfub_fail(cfub_interp *ip, int code, const char *msg) {
    cfub_status *st = ip->st;
    if (st && st->code == CFUB_OK) {
        st->code = code;
        cfub_sb sb;
        cfub_sb_init(&sb, st->msg, sizeof st->msg);
        cfub_sb_str(&sb, msg);
    }
    return code;
}

static void op_prefix(cfub_interp *ip, cfub_sb *sb, const cfub_node *n) {
    cfub_sb_str(sb, cfub_op_name(n->builtin));
    cfub_sb_str(sb, " op ");
    cfub_sb_int(sb, (int64_t)(n - ip->nodes));
    if (ip->current) { /* ops of subgraph 0 are the model's layers; others say where they are */
        cfub_sb_str(sb, " of subgraph ");
        cfub_sb_int(sb, ip->current);
    }
    cfub_sb_str(sb, ": ");
}

int cfub_fail_op(cfub_interp *ip, int code, const cfub_node *n, const char *msg) {
    char buf[CFUB_MSG_MAX];
    cfub_sb sb;
    cfub_sb_init(&sb, buf, sizeof buf);
    op_prefix(ip, &sb, n);
    cfub_sb_str(&sb, msg);
    return cfub_fail(ip, code, buf);
}

int cfub_fail_op_int(cfub_interp *ip, int code, const cfub_node *n, const char *msg, int64_t v) {
    char buf[CFUB_MSG_MAX];
    cfub_sb sb;
    cfub_sb_init(&sb, buf, sizeof buf);
    op_prefix(ip, &sb, n);
    cfub_sb_str(&sb, msg);
    cfub_sb_str(&sb, " ");
    cfub_sb_int(&sb, v);
    return cfub_fail(ip, code, buf);
}

int cfub_fail_type(cfub_interp *ip, const cfub_node *n, const char *role, int k, int type) {
    char buf[CFUB_MSG_MAX];
    cfub_sb sb;
    cfub_sb_init(&sb, buf, sizeof buf);
    cfub_sb_str(&sb, "unsupported tensor type ");
    cfub_sb_str(&sb, cfub_type_name(type));
    cfub_sb_str(&sb, " for ");
    cfub_sb_str(&sb, cfub_op_name(n->builtin));
    cfub_sb_str(&sb, " ");
    cfub_sb_str(&sb, role);
    cfub_sb_str(&sb, " ");
    cfub_sb_int(&sb, k);
    cfub_sb_str(&sb, " (op ");
    cfub_sb_int(&sb, (int64_t)(n - ip->nodes));
    cfub_sb_str(&sb, ")");
    return cfub_fail(ip, CFUB_ERR_UNSUPPORTED, buf);
}

int cfub_fail_fb(cfub_interp *ip) {
    char buf[CFUB_MSG_MAX];
    cfub_sb sb;
    cfub_sb_init(&sb, buf, sizeof buf);
    cfub_sb_str(&sb, "malformed model: ");
    cfub_sb_str(&sb, ip->fb.err_what ? ip->fb.err_what : "bad flatbuffer");
    cfub_sb_str(&sb, " at byte ");
    cfub_sb_uint(&sb, ip->fb.err_pos);
    return cfub_fail(ip, CFUB_ERR_MALFORMED, buf);
}
