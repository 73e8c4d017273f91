// cfu-bench's own Verilator harness for the simulation SoC, in place of litex_sim's.
//
// litex_sim runs a libevent loop that calls a clocker and a UART module through function
// pointers on every half cycle and flushes an (unused) VCD tracer after every eval; profiled
// with callgrind that is ~700 instructions per SoC cycle outside the model. This loop does
// what those modules did, in the same order, so every cycle is the same:
//   each half period: set sys_clk (1 on even steps, as LiteX's clocker from t=0), eval();
//   after a rising edge: UART tx_ready=1, take tx_data when tx_valid; feed rx like
//   serial2console (stdin) or serial2tcp (a TCP client, `--uart-tcp PORT`).
// `--uart-tx-cycles N` takes a byte from the SoC's UART at most every N cycles, as a real line
// does (1,000 at 1 Mbaud and 100 MHz): its TX FIFO then fills, as on a board. Default 1: a
// byte every cycle, litex_sim's behaviour and the same cycles.
// The run ends at $finish (sim_finish CSR or the cycle watchdog in Verilog).
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "Vsim.h"
#include "verilated.h"

namespace {

// Host I/O (accept, read, write) after every batch of this many half cycles, the first after
// the first batch: litex_sim's cadence (its libevent callback runs 1000 steps per call).
constexpr unsigned IO_EVERY = 1000;

struct RxQueue {
    unsigned char buf[1 << 16];
    size_t head = 0, len = 0;
    size_t space() const { return sizeof buf - len; }
    void push(const unsigned char* p, size_t n) {
        for (size_t i = 0; i < n; i++) buf[(head + len + i) % sizeof buf] = p[i];
        len += n;
    }
    unsigned char front() const { return buf[head]; }
    void pop() { head = (head + 1) % sizeof buf; len--; }
};

struct Uart {
    int listen_fd = -1;   // TCP mode: listening socket
    int client_fd = -1;   // TCP mode: the connected client (litex: bytes before it are dropped)
    bool stdin_open = true;
    // Host bytes wait until the SoC has sent its first byte. The BIOS's UART init clears a
    // pending RX event but not the RX FIFO, so a byte that arrives earlier (a client poking
    // the BIOS as soon as it connects) leaves the FIFO non-empty with no event to come: the
    // BIOS never sees another byte. litex_sim's timing happened to avoid this.
    bool soc_spoke = false;
    RxQueue rx;
    char tx[8192];
    size_t tx_len = 0;

    bool tcp() const { return listen_fd >= 0; }

    void listen_on(int port) {
        listen_fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_ANY);
        sin.sin_port = htons(port);
        if (bind(listen_fd, (sockaddr*)&sin, sizeof sin) != 0 || listen(listen_fd, 1) != 0) {
            fprintf(stderr, "cannot listen on TCP port %d: %s\n", port, strerror(errno));
            exit(1);
        }
        fcntl(listen_fd, F_SETFL, O_NONBLOCK);
    }

    void flush_tx() {
        if (!tx_len) return;
        if (tcp()) {
            size_t off = 0;
            while (client_fd >= 0 && off < tx_len) {
                ssize_t n = send(client_fd, tx + off, tx_len - off, MSG_NOSIGNAL);
                if (n > 0) off += n;
                else if (n < 0 && (errno == EAGAIN || errno == EINTR)) usleep(100);
                else { close(client_fd); client_fd = -1; }
            }
        } else {
            fwrite(tx, 1, tx_len, stdout);
            fflush(stdout);
        }
        tx_len = 0;
    }

    void put(unsigned char c) {
        soc_spoke = true;
        if (tcp() && client_fd < 0) return;
        tx[tx_len++] = c;
        if (tx_len == sizeof tx || (!tcp() && c == '\n')) flush_tx();
    }

    void poll_host() {
        unsigned char buf[4096];
        if (tcp()) {
            if (client_fd < 0) {
                int fd = accept(listen_fd, nullptr, nullptr);
                if (fd >= 0) {
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    fcntl(fd, F_SETFL, O_NONBLOCK);
                    client_fd = fd;
                }
            }
            flush_tx();
            if (client_fd >= 0 && rx.space() >= sizeof buf) {
                ssize_t n = recv(client_fd, buf, sizeof buf, 0);
                if (n > 0) rx.push(buf, n);
                // EOF: serial2tcp stops reading but keeps the socket for writes
            }
        } else {
            flush_tx();
            if (stdin_open && rx.space() >= sizeof buf) {
                ssize_t n = read(0, buf, sizeof buf);
                if (n > 0) rx.push(buf, n);
                else if (n == 0) stdin_open = false;
            }
        }
    }

    unsigned tx_cycles = 1;   // a byte at most every this many cycles
    unsigned tx_wait = 0;

    // After a rising edge, exactly as litex_sim's serial2console / serial2tcp tick.
    void tick(Vsim* s) {
        const bool ready = tx_wait == 0;
        s->serial_source_ready = ready;
        if (ready && s->serial_source_valid) {
            put(s->serial_source_data);
            tx_wait = tx_cycles - 1;
        } else if (tx_wait) {
            tx_wait--;
        }
        s->serial_sink_valid = 0;
        if (!soc_spoke) return;
        if (tcp()) {
            if (rx.len) {
                s->serial_sink_data = rx.front();
                s->serial_sink_valid = 1;
                if (s->serial_sink_ready) rx.pop();
            }
        } else if (s->serial_sink_ready && rx.len) {
            s->serial_sink_data = rx.front();
            rx.pop();
            s->serial_sink_valid = 1;
        }
    }
};

}  // namespace

double sc_time_stamp() { return 0; }

int main(int argc, char** argv) {
    Uart uart;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--uart-tcp")) uart.listen_on(atoi(argv[i + 1]));
        else if (!strcmp(argv[i], "--uart-tx-cycles") && atoi(argv[i + 1]) > 0)
            uart.tx_cycles = (unsigned)atoi(argv[i + 1]);
    if (!uart.tcp()) fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    signal(SIGPIPE, SIG_IGN);

    auto* context = new VerilatedContext;
    context->commandArgs(argc, argv);
    auto* sim = new Vsim{context};
    sim->sys_clk = 0;

    for (uint64_t step = 0; !context->gotFinish(); step++) {
        const bool rising = !(step & 1);
        sim->sys_clk = rising;
        sim->eval();
        if (rising) uart.tick(sim);
        if (step % IO_EVERY == IO_EVERY - 1) uart.poll_host();
    }
    uart.flush_tx();
    sim->final();
    fflush(stdout);
    delete sim;
    delete context;
    return 0;
}
