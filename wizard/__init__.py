"""studio-vpce: make SageMaker Studio reachable privately from a VPC, and only from there.

The `wizard` package is the engine and the CLI. It never imports Textual.
"""

__version__ = "0.1.0"
