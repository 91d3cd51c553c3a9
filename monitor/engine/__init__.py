"""Running the product's jobs on a distributed task engine (Dramatiq on RabbitMQ or Redis) across machines."""
