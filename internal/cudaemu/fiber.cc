// cudaemu_switch(save_sp, sp) for fiber.h on x86-64 (System V): push the
// callee-saved registers and the floating-point control state, store the
// stack pointer in *save_sp, load sp, pop the same state and return into
// the resumed context.
#if defined(__x86_64__) && !defined(CUDAEMU_UCONTEXT)
asm(R"(
	.text
	.globl cudaemu_switch
	.hidden cudaemu_switch
	.type cudaemu_switch, @function
cudaemu_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size cudaemu_switch, .-cudaemu_switch
	.section .note.GNU-stack,"",@progbits
	.text
)");
#endif
