//! The C ABI (feature `capi`): see `include/licentia.h`.
