//! Topic 05_producer_consumer.
