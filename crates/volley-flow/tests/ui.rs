//! Compile-time guarantees of the scheduler, checked by compiling code that must not build.

#[test]
fn lazy_values_of_the_scheduler_must_be_used() {
    trybuild::TestCases::new().compile_fail("tests/ui/unused_lazy_values.rs");
}
