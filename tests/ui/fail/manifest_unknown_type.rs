bold360_macros::bold360_api!(path = "../../../../tests/ui/manifests/unknown-type", extension = Broken);

fn main() {}
