"""Files people hand to the product: export files read into rows, whatever their encoding and container."""
