//! Topic 03_daemon_threads.
