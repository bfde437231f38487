bold360_macros::bold360_api!(path = "${BOLD360_UI_MANIFESTS}/duplicate-method", extension = Broken);

fn main() {}
