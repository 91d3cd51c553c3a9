"""The bottom layer: the error tree, the settings object and text safety. Imports nothing else of the product."""
