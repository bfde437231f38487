bold360_macros::bold360_api!(path = "../../../../tests/ui/manifests/duplicate-method", extension = Broken);

fn main() {}
