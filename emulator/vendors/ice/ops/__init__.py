"""One module per ICE action: request model, response model, paging spec and handler (declared for routing in
`emulator.vendors.ice.routes.OPERATIONS`, imported at the action's first call)."""
