//! Channel make sites: the `make(chan T[, N])` that made the channel of a send, receive or
//! range, found through the name's binding in the function chain.

use tree_sitter::Node;

use super::ChannelMake;
use super::tree::{Go, is_reference, line_of, parts, unparen};
use crate::blocking::Op;

impl<'t> Go<'t> {
    /// The `make(chan …)` behind the channel of a send, receive or range.
    pub(super) fn channel_make(&self, op_node: Node<'t>, op: Op) -> Option<ChannelMake> {
        let channel = match op {
            Op::Send => op_node.child_by_field_name("channel"),
            Op::Receive => op_node.child_by_field_name("operand"),
            Op::Range => parts(op_node)
                .find(|child| child.kind() == "range_clause")
                .and_then(|clause| clause.child_by_field_name("right")),
            _ => None,
        }
        .map(unparen)?;
        if !is_reference(channel) {
            return None;
        }
        let name = self.written(channel);
        let make = unparen(self.resolve(&name, op_node)?.value?);
        if !self.queries.makes_channel(make, self.source) {
            return None;
        }
        // The channel type comes first; a capacity, if any, second.
        let mut arguments = parts(make.child_by_field_name("arguments")?).skip(1);
        Some(ChannelMake {
            line: line_of(make),
            capacity: arguments.next().map(|capacity| self.written(capacity)),
            name,
        })
    }
}
