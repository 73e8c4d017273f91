// A CFU in CFU Playground's style, standing in for a project's cfu.v taken as it is: plain
// Verilog, module Cfu, CFU Playground's port names, nothing cfu-bench-specific.
//   function_id 0: rd = sum_i rs1.byte[i] * rs2.byte[i]   (4 lanes, signed int8, no offset)
//   function_id 1: rd = rs1 ^ rs2
// It answers one cycle after the command and takes no new command while a response waits.
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
    wire [31:0] a = cmd_payload_inputs_0;
    wire [31:0] b = cmd_payload_inputs_1;
    wire signed [15:0] p0 = $signed(a[7:0])   * $signed(b[7:0]);
    wire signed [15:0] p1 = $signed(a[15:8])  * $signed(b[15:8]);
    wire signed [15:0] p2 = $signed(a[23:16]) * $signed(b[23:16]);
    wire signed [15:0] p3 = $signed(a[31:24]) * $signed(b[31:24]);
    wire signed [31:0] dot = p0 + p1 + p2 + p3;

    assign cmd_ready = ~rsp_valid;

    always @(posedge clk) begin
        if (reset) begin
            rsp_valid <= 1'b0;
        end else if (rsp_valid) begin
            if (rsp_ready) rsp_valid <= 1'b0;
        end else if (cmd_valid) begin
            rsp_valid <= 1'b1;
            rsp_payload_outputs_0 <= (cmd_payload_function_id[2:0] == 3'd0) ? dot : (a ^ b);
        end
    end
endmodule
