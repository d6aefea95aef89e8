"""One ``Function`` per differentiable op, grouped by kind."""
