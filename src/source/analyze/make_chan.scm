; make(chan T) and make(chan T, N): a call whose first argument (comments aside) is a
; channel type. The capacity is the argument after the type, read in Rust: arguments
; pair with meaning by position.
(call_expression
  function: (identifier) @function (#eq? @function "make")
  arguments: (argument_list . (comment)* . (channel_type))) @make
