#include "ee_protocol.h"

#include <stdbool.h>
#include <string.h>

#include "dut.h"
#include "ee_io.h"

#define EE_FW_VERSION "ULPMark for tinyML Firmware V0.0.1"
#define EE_MSG_READY "m-ready\r\n"

static char cmd_buf[EE_CMD_SIZE + 1];
static size_t cmd_len;
static bool cmd_overflow;

static uint8_t db_buf[EE_DB_MAX];
static size_t db_size; /* announced by db load */
static size_t db_pos;  /* bytes received so far */
static bool inferred;  /* results exist */

/* ---- tokens --------------------------------------------------------------------------------- */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* The next word of *p, NUL-terminated in place, or NULL at the end. */
static char *next_word(char **p) {
    char *s = *p;
    while (*s && is_space(*s)) s++;
    if (!*s) {
        *p = s;
        return NULL;
    }
    char *w = s;
    while (*s && !is_space(*s)) s++;
    if (*s) *s++ = 0;
    *p = s;
    return w;
}

/* A decimal number of at most 9 digits (so it fits any size_t here); false otherwise. */
static bool parse_count(const char *w, size_t *out) {
    size_t v = 0, digits = 0;
    if (*w == '+') w++;
    for (; *w; w++, digits++) {
        if (*w < '0' || *w > '9' || digits >= 9) return false;
        v = v * 10u + (size_t)(*w - '0');
    }
    if (!digits) return false;
    *out = v;
    return true;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void error(const char *msg) { ee_put_bracketed("e-", msg); }

/* "e-[<what> <n>]" */
static void error_n(const char *what, uint64_t n, const char *tail) {
    ee_puts("e-[");
    ee_puts(what);
    ee_put_uint(n);
    ee_puts(tail);
    ee_puts("]\r\n");
}

/* "e-[<a><x><b><y><c>]" */
static void error_two(const char *a, uint64_t x, const char *b, uint64_t y, const char *tail) {
    ee_puts("e-[");
    ee_puts(a);
    ee_put_uint(x);
    ee_puts(b);
    ee_put_uint(y);
    ee_puts(tail);
    ee_puts("]\r\n");
}

/* ---- db ------------------------------------------------------------------------------------- */

static void db_load(char *rest) {
    char *w = next_word(&rest);
    size_t n;
    if (!w) {
        error("Command 'db load' requires the # of bytes");
    } else if (!parse_count(w, &n) || next_word(&rest)) {
        error("Command 'db load' takes one decimal number of bytes");
    } else if (n == 0) {
        error("Command 'db load' must be >0 bytes");
    } else if (n > EE_DB_MAX) {
        error_n("Supplied buffer size exceeds maximum of ", EE_DB_MAX, " bytes");
    } else {
        db_size = n;
        db_pos = 0;
        ee_puts("m-[Expecting ");
        ee_put_uint(n);
        ee_puts(" bytes]\r\n");
    }
}

static void db_print(char *rest) {
    size_t n = 16, offset = 0;
    char *w = next_word(&rest);
    if (w && !parse_count(w, &n)) {
        error("Command 'db print' takes [N=16] [offset=0] in decimal");
        return;
    }
    w = next_word(&rest);
    if (w && !parse_count(w, &offset)) {
        error("Command 'db print' takes [N=16] [offset=0] in decimal");
        return;
    }
    if (offset > db_pos) offset = db_pos;
    if (n > db_pos - offset) n = db_pos - offset;
    for (size_t i = 0; i < n; i++) {
        if (i % 8 == 0) ee_puts("m-buffer-");
        ee_put_hex2(db_buf[offset + i]);
        ee_puts((i + 1) % 8 == 0 || i + 1 == n ? "\r\n" : "-");
    }
}

static void db_hex(const char *hex, char *rest) {
    if (next_word(&rest)) {
        error("Command 'db' takes one run of hex digits");
        return;
    }
    size_t digits = strlen(hex);
    if (digits & 1u) {
        error("Insufficient number of hex digits");
        return;
    }
    /* validate the whole line first, so a bad line changes nothing */
    for (size_t i = 0; i < digits; i++) {
        if (hex_value(hex[i]) < 0) {
            char msg[] = "Invalid hex digit 'x'";
            msg[19] = hex[i] >= ' ' && hex[i] < 127 ? hex[i] : '?';
            error(msg);
            return;
        }
    }
    if (db_size == 0) {
        error("Command 'db' needs 'db load N' first");
        return;
    }
    if (db_pos == db_size) {
        error("The buffer is already full: start again with 'db load N'");
        return;
    }
    for (size_t i = 0; i < digits && db_pos < db_size; i += 2)
        db_buf[db_pos++] = (uint8_t)(hex_value(hex[i]) << 4 | hex_value(hex[i + 1]));
    /* like the reference: digits past N are ignored */
    if (db_pos == db_size) ee_puts("m-load-done\r\n");
}

static void db_command(char *rest) {
    char *sub = next_word(&rest);
    if (!sub)
        error("Command 'db' requires a subcommand");
    else if (strcmp(sub, "load") == 0)
        db_load(rest);
    else if (strcmp(sub, "print") == 0)
        db_print(rest);
    else
        db_hex(sub, rest);
}

/* ---- infer ---------------------------------------------------------------------------------- */

static void timestamp(void) {
    ee_puts("m-lap-us-");
    ee_put_uint(th_timestamp_us());
    ee_puts("\r\n");
}

static bool run(size_t n) {
    while (n-- > 0) {
        const char *err = th_infer();
        if (err) {
            inferred = false;
            ee_put_bracketed("e-", err);
            return false;
        }
    }
    return true;
}

static void infer_command(char *rest) {
    size_t n = 1, warmups = 10; /* the reference's defaults */
    char *w = next_word(&rest);
    if (w && (!parse_count(w, &n) || n == 0)) {
        error("Inference iterations must be >0");
        return;
    }
    w = next_word(&rest);
    if (w && !parse_count(w, &warmups)) {
        error("Inference warmup must be >=0");
        return;
    }
    if (next_word(&rest)) {
        error("Command 'infer' takes N [W]");
        return;
    }
    const char *err = th_model_error();
    if (err) {
        error(err);
        return;
    }
    if (db_pos != db_size) {
        error_two("The input is incomplete: ", db_pos, " of ", db_size, " bytes");
        return;
    }
    if (db_size != th_input_bytes()) {
        error_two("The input has ", db_size, " bytes, the model expects ", th_input_bytes(), "");
        return;
    }
    err = th_load_tensor(db_buf, db_pos);
    if (err) {
        error(err);
        return;
    }
    ee_puts("m-warmup-start-");
    ee_put_uint(warmups);
    ee_puts("\r\n");
    if (!run(warmups)) return;
    ee_puts("m-warmup-done\r\n");
    ee_puts("m-infer-start-");
    ee_put_uint(n);
    ee_puts("\r\n");
    timestamp();
    if (!run(n)) return;
    timestamp();
    ee_puts("m-infer-done\r\n");
    inferred = true;
    th_results();
}

/* ---- the parser ----------------------------------------------------------------------------- */

static void help(void) {
    ee_puts(EE_FW_VERSION "\r\n\r\n"
            "help         : Print this information\r\n"
            "name         : Print the name of the device\r\n"
            "timestamp    : Generate a timestamp\r\n"
            "db SUBCMD    : Manipulate a generic byte buffer\r\n"
            "  load N     : Allocate N bytes and set load counter\r\n"
            "  db HH[HH]* : Load 8-bit hex byte(s) until N bytes\r\n"
            "  print [N=16] [offset=0]\r\n"
            "             : Print N bytes at offset as hex\r\n"
            "infer N [W=10]: Load input, execute N inferences after W warmup loops\r\n"
            "results      : Return the result vector\r\n"
            "exit         : End the simulation (on a board: reset into the BIOS)\r\n");
}

void ee_command(char *line) {
    char *rest = line;
    char *cmd = next_word(&rest);
    if (!cmd) {
        error("Empty command");
    } else if (strcmp(cmd, "name") == 0) {
        ee_puts("m-name-dut-[cfu-bench]\r\n");
    } else if (strcmp(cmd, "timestamp") == 0) {
        timestamp();
    } else if (strcmp(cmd, "profile") == 0) {
        ee_put_bracketed("m-profile-", EE_FW_VERSION);
        ee_put_bracketed("m-model-", th_model_id());
    } else if (strcmp(cmd, "help") == 0) {
        help();
    } else if (strcmp(cmd, "db") == 0) {
        db_command(rest);
    } else if (strcmp(cmd, "infer") == 0) {
        infer_command(rest);
    } else if (strcmp(cmd, "results") == 0) {
        if (inferred)
            th_results();
        else
            error("No inference has run");
    } else if (strcmp(cmd, "exit") == 0) {
        ee_puts("m-exit\r\n");
        th_exit();
    } else {
        /* cmd is at most EE_CMD_SIZE characters of the line buffer */
        ee_puts("e-[Unknown command: ");
        for (const char *c = cmd; *c; c++) ee_putc(*c >= ' ' && *c < 127 ? *c : '?');
        ee_puts("]\r\n");
    }
    ee_puts(EE_MSG_READY);
}

void ee_serial_byte(char c) {
    if (c == EE_CMD_TERMINATOR) {
        if (cmd_overflow) {
            error_n("Command longer than ", EE_CMD_SIZE, " characters");
            ee_puts(EE_MSG_READY);
        } else {
            cmd_buf[cmd_len] = 0;
            ee_command(cmd_buf);
        }
        cmd_len = 0;
        cmd_overflow = false;
    } else if (c == 0) {
        /* a NUL would end the line early: treat it as a space */
        if (cmd_len < EE_CMD_SIZE) cmd_buf[cmd_len++] = ' ';
        else cmd_overflow = true;
    } else if (cmd_len < EE_CMD_SIZE) {
        cmd_buf[cmd_len++] = c;
    } else {
        cmd_overflow = true;
    }
}

void ee_announce(void) {
    ee_puts("m-timestamp-mode-performance\r\n");
    timestamp();
    const char *err = th_model_error();
    if (err) error(err);
    ee_puts("m-init-done\r\n");
    ee_puts(EE_MSG_READY);
}
