//! Compile-time guarantees (SEMANTICS 12 and 31), checked by compiling code that must not build.

#[test]
fn ui_compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/c12_double_consumer.rs");
    cases.compile_fail("tests/ui/c31_reentry.rs");
}
