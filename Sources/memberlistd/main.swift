import Node
print("memberlistd: not yet wired")
