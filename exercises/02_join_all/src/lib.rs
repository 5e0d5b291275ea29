//! Topic 02_join_all.
