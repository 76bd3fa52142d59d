//! Compile-time guarantees (docs/semantics.md, cases 12 and 31), checked by compiling code that
//! must not build.

#[test]
fn c12_handing_one_coroutine_to_two_consumers_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/c12_double_consumer.rs");
}

#[test]
fn c31_resuming_from_inside_itself_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/c31_reentry.rs");
}
