// CFU `template`: plain Verilog with CFU Playground's ports (module Cfu), the instruction set
// of the Amaranth starter design (`cfu-bench new` without --verilog), so the same kernels, C emulation and tests apply:
//   funct3=0 DOT4        rd = sum_i (rs1.byte[i] + offset) * rs2.byte[i]
//   funct3=1 SET_OFFSET  offset = sign-extended rs1[8:0]; rd = 0
//   funct3=2 ACC         funct7[0]=0: acc += DOT4(rs1, rs2), rd = new acc
//                        funct7[0]=1: acc = rs1, rd = previous acc
//   others               rd = 0
// function_id is {funct7, funct3}. Every instruction answers the cycle after it is accepted and
// a new one is accepted while the previous response is taken, so they issue one per cycle.
// To read main memory, add the memory port (outputs mem_cyc, mem_stb, mem_adr[29:0]; inputs
// mem_ack, mem_err, mem_dat_r[31:0]: a Wishbone read master on the SoC bus).
module Cfu (
    input               cmd_valid,
    output              cmd_ready,
    input      [9:0]    cmd_payload_function_id,
    input      [31:0]   cmd_payload_inputs_0,
    input      [31:0]   cmd_payload_inputs_1,
    output reg          rsp_valid,
    input               rsp_ready,
    output reg [31:0]   rsp_payload_outputs_0,
    input               reset,
    input               clk
);
    wire [2:0]  funct3 = cmd_payload_function_id[2:0];
    wire        load   = cmd_payload_function_id[3];     // funct7[0] of ACC
    wire [31:0] a      = cmd_payload_inputs_0;
    wire [31:0] b      = cmd_payload_inputs_1;

    reg  signed [8:0]  offset;   // TFLite input offsets (-zero_point) fit 9 bits
    reg         [31:0] acc;

    // (a.byte[i] + offset) * b.byte[i]: 10-bit signed sum times 8-bit signed byte.
    wire signed [9:0]  x0 = $signed({{2{a[7]}},  a[7:0]})   + offset;
    wire signed [9:0]  x1 = $signed({{2{a[15]}}, a[15:8]})  + offset;
    wire signed [9:0]  x2 = $signed({{2{a[23]}}, a[23:16]}) + offset;
    wire signed [9:0]  x3 = $signed({{2{a[31]}}, a[31:24]}) + offset;
    wire signed [17:0] p0 = x0 * $signed(b[7:0]);
    wire signed [17:0] p1 = x1 * $signed(b[15:8]);
    wire signed [17:0] p2 = x2 * $signed(b[23:16]);
    wire signed [17:0] p3 = x3 * $signed(b[31:24]);
    wire signed [31:0] dot = p0 + p1 + p2 + p3;
    wire        [31:0] sum = acc + dot;

    assign cmd_ready = ~rsp_valid | rsp_ready;
    wire accept = cmd_valid & cmd_ready;

    always @(posedge clk) begin
        if (reset) begin
            rsp_valid <= 1'b0;
            rsp_payload_outputs_0 <= 32'd0;
            offset <= 9'sd0;
            acc <= 32'd0;
        end else begin
            if (rsp_valid & rsp_ready) rsp_valid <= 1'b0;
            if (accept) begin
                rsp_valid <= 1'b1;
                case (funct3)
                    3'd0: rsp_payload_outputs_0 <= dot;
                    3'd1: begin
                        offset <= a[8:0];
                        rsp_payload_outputs_0 <= 32'd0;
                    end
                    3'd2: begin
                        if (load) begin
                            rsp_payload_outputs_0 <= acc;
                            acc <= a;
                        end else begin
                            rsp_payload_outputs_0 <= sum;
                            acc <= sum;
                        end
                    end
                    default: rsp_payload_outputs_0 <= 32'd0;
                endcase
            end
        end
    end
endmodule
