//! Topic 01_thread_basics.
