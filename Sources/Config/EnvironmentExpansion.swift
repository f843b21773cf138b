/// `-config.expand-env` (as Pyroscope's config loader): `${VAR}` becomes the
/// variable's value ("" when unset) and `${VAR:default}` the value, or
/// `default` when the variable is unset. Anything else, `$` included, stays.
enum EnvironmentExpansion {
    static func expand(_ text: String, lookup: (String) -> String?) -> String {
        let characters = Array(text)
        var output = ""
        var index = 0
        while index < characters.count {
            guard characters[index] == "$", index + 1 < characters.count, characters[index + 1] == "{",
                  let close = characters[(index + 2)...].firstIndex(of: "}") else {
                output.append(characters[index])
                index += 1
                continue
            }
            let reference = String(characters[(index + 2)..<close])
            if let colon = reference.firstIndex(of: ":") {
                output += lookup(String(reference[..<colon])) ?? String(reference[reference.index(after: colon)...])
            } else {
                output += lookup(reference) ?? ""
            }
            index = close + 1
        }
        return output
    }
}
