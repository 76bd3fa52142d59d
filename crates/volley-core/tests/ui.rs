//! Compile-time guarantees (cases 12 and 31 of docs/semantics.md), checked by compiling code that
//! must not build.

#[test]
fn ui_compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/c12_double_consumer.rs");
    cases.compile_fail("tests/ui/c31_reentry.rs");
}
