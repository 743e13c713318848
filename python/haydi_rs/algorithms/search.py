"""Breadth-first search with an evaluation function."""

import collections


def bfs(init_state, step_fn, eval_fn, max_depth=None, not_found_value=None):
    """Breadth-first search from ``init_state``: ``eval_fn(state, depth)`` is called on
    every state reached (each once, in breadth-first order) and the first value that is
    not ``None`` is returned; ``step_fn(state, depth)`` gives the successors; states
    deeper than ``max_depth`` are not visited. ``not_found_value`` when nothing is found.

    >>> bfs(0, lambda s, d: (s + 1,), lambda s, d: d if s == 5 else None)
    5
    >>> bfs(0, lambda s, d: (s + 1,), lambda s, d: None, 3, "none")
    'none'
    """
    seen = {init_state}
    queue = collections.deque([(init_state, 0)])
    while queue:
        state, depth = queue.popleft()
        r = eval_fn(state, depth)
        if r is not None:
            return r
        if max_depth is not None and depth >= max_depth:
            continue
        for n in step_fn(state, depth):
            if n not in seen:
                seen.add(n)
                queue.append((n, depth + 1))
    return not_found_value
