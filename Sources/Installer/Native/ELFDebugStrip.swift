/// Removes what only debuggers and linkers read from an ELF shared object: the `.debug_*`/`.zdebug_*`
/// sections, and `.symtab` with its `.strtab`, like `strip --strip-debug`/`--strip-unneeded` do, for any
/// machine and either byte order (System V ABI, *Sections*).
///
/// Only sections the loader never reads go: non-`SHF_ALLOC` sections that no segment covers and that come
/// after every allocated section, both in the file and in the section table. Everything up to the end of
/// the last segment is kept byte for byte (`.dynsym`, `.dynstr`, the dynamic segment, version tables, ...),
/// so allocated sections keep their indices and offsets; the surviving non-allocated sections (such as
/// `.shstrtab`, `.comment`) are packed after it and a new section header table follows. An object laid out
/// any other way — section headers inside a segment, as patchelf leaves them; extended section numbering; a
/// dynamic symbol that names a section that would move — is left as it is, with the reason.
public enum ELFDebugStrip {
    /// The outcome for one object.
    public enum Outcome: Sendable, Equatable {
        /// The stripped bytes.
        case stripped([UInt8])
        /// Nothing to remove.
        case unchanged
        /// Not laid out as expected; the object is left as it is, for this reason.
        case leftAsIs(String)
    }

    public static func strip(_ bytes: [UInt8]) -> Outcome {
        do { return try Layout(bytes).stripped() } catch { return .leftAsIs(error.reason) }
    }

    struct Refusal: Error { var reason: String }

    /// Whether a section name is debugging information or the static symbol table.
    static func isRemovable(_ name: String) -> Bool {
        name.hasPrefix(".debug_") || name.hasPrefix(".zdebug_") || name == ".symtab" || name == ".strtab"
    }

    private struct Section {
        var index: Int
        var name: String
        var type: UInt32
        var flags: UInt64
        var offset: Int
        var size: Int
        var link: UInt32
        var info: UInt32
        var alignment: Int
        /// The raw section header.
        var header: [UInt8]

        static let noBits: UInt32 = 8
        var isAllocated: Bool { flags & 0x2 != 0 }
        /// `sh_info` names a section: relocation sections and `SHF_INFO_LINK`.
        var infoIsSection: Bool { type == 4 || type == 9 || flags & 0x40 != 0 }
        var fileEnd: Int { type == Self.noBits ? offset : offset + size }
    }

    private struct Layout {
        var bytes: [UInt8]
        var is64Bit: Bool
        var littleEndian: Bool

        init(_ bytes: [UInt8]) throws(Refusal) {
            guard bytes.count >= 52, bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]),
                  [1, 2].contains(bytes[4]), [1, 2].contains(bytes[5]) else {
                throw Refusal(reason: "it is not an ELF object this stripper reads")
            }
            self.bytes = bytes
            is64Bit = bytes[4] == 2
            littleEndian = bytes[5] == 1
        }

        func integer(_ at: Int, _ width: Int) throws(Refusal) -> UInt64 {
            guard at >= 0, at + width <= bytes.count else { throw Refusal(reason: "a header lies past the end of the file") }
            var value: UInt64 = 0
            for index in 0..<width {
                value |= UInt64(bytes[at + index]) << (8 * (littleEndian ? index : width - 1 - index))
            }
            return value
        }

        func word(_ at: Int) throws(Refusal) -> UInt64 { try integer(at, is64Bit ? 8 : 4) }

        func int(_ value: UInt64) throws(Refusal) -> Int {
            guard value <= UInt64(Int.max / 2) else { throw Refusal(reason: "an offset or size is out of range") }
            return Int(value)
        }

        static func put(_ value: UInt64, _ width: Int, at: Int, in out: inout [UInt8], littleEndian: Bool) {
            for index in 0..<width {
                out[at + index] = UInt8(truncatingIfNeeded: value >> (8 * (littleEndian ? index : width - 1 - index)))
            }
        }

        func stripped() throws(Refusal) -> Outcome {
            // Elf64_Ehdr / Elf32_Ehdr offsets.
            let phoff = try int(try word(is64Bit ? 32 : 28)), shoff = try int(try word(is64Bit ? 40 : 32))
            let phentsize = try int(try integer(is64Bit ? 54 : 42, 2)), phnum = try int(try integer(is64Bit ? 56 : 44, 2))
            let shentsize = try int(try integer(is64Bit ? 58 : 46, 2)), shnum = try int(try integer(is64Bit ? 60 : 48, 2))
            let shstrndx = try int(try integer(is64Bit ? 62 : 50, 2))
            guard shoff != 0, shnum > 0 else { return .unchanged }  // no section headers: nothing to find
            guard shentsize == (is64Bit ? 64 : 40), shstrndx < shnum, shstrndx != 0 else {
                throw Refusal(reason: "it uses extended section numbering or unusual section headers")
            }
            // The end of everything a segment covers: kept byte for byte.
            var segmentsEnd = is64Bit ? 64 : 52
            for index in 0..<phnum {
                let at = phoff + index * phentsize
                let offset = try int(try word(at + (is64Bit ? 8 : 4))), size = try int(try word(at + (is64Bit ? 32 : 16)))
                segmentsEnd = max(segmentsEnd, offset + size)
            }
            segmentsEnd = max(segmentsEnd, phoff + phnum * phentsize)
            guard shoff >= segmentsEnd else {
                throw Refusal(reason: "its section headers lie inside the loaded part (as patchelf leaves them)")
            }
            guard shoff + shnum * shentsize <= bytes.count else { throw Refusal(reason: "its section headers are truncated") }

            var sections: [Section] = []
            for index in 0..<shnum {
                let at = shoff + index * shentsize
                let w = is64Bit ? 8 : 4
                sections.append(Section(
                    index: index, name: "", type: UInt32(try integer(at + 4, 4)), flags: try word(at + 8),
                    offset: try int(try word(at + 8 + 2 * w)), size: try int(try word(at + 8 + 3 * w)),
                    link: UInt32(try integer(at + 8 + 4 * w, 4)), info: UInt32(try integer(at + 12 + 4 * w, 4)),
                    alignment: try int(try word(at + 16 + 4 * w)), header: Array(bytes[at..<at + shentsize])))
            }
            let names = sections[shstrndx]
            guard names.fileEnd <= bytes.count else { throw Refusal(reason: "its section name table is truncated") }
            for index in sections.indices {
                let start = names.offset + Int(try integer(shoff + index * shentsize, 4))
                guard start < names.fileEnd, let end = bytes[start..<names.fileEnd].firstIndex(of: 0) else {
                    throw Refusal(reason: "a section name lies outside the section name table")
                }
                sections[index].name = String(decoding: bytes[start..<end], as: UTF8.self)
            }

            var removed = Set(sections.filter { $0.index != 0 && !$0.isAllocated && isRemovable($0.name) }.map(\.index))
            // `.strtab` goes only as `.symtab`'s string table; a section linked to a removed one goes too.
            if let strtab = sections.first(where: { $0.name == ".strtab" }),
               !sections.contains(where: { $0.name == ".symtab" && Int($0.link) == strtab.index && removed.contains($0.index) }) {
                removed.remove(strtab.index)
            }
            var changed = true
            while changed {
                changed = false
                for section in sections where section.index != 0 && !removed.contains(section.index) {
                    let dependsOnRemoved = removed.contains(Int(section.link))
                        || (section.infoIsSection && removed.contains(Int(section.info)))
                    guard dependsOnRemoved else { continue }
                    guard !section.isAllocated else {
                        throw Refusal(reason: "the loaded section \(section.name) refers to a section being removed")
                    }
                    removed.insert(section.index)
                    changed = true
                }
            }
            guard let firstRemoved = removed.min() else { return .unchanged }
            let lastAllocated = sections.filter(\.isAllocated).map(\.index).max() ?? 0
            guard firstRemoved > lastAllocated else {
                throw Refusal(reason: "a removable section comes before a loaded one in the section table")
            }
            // Sections after `segmentsEnd` are moved; none of them may be allocated, and none of those kept in
            // place may be removed.
            for section in sections where section.index != 0 && section.type != Section.noBits {
                if section.offset >= segmentsEnd && section.isAllocated {
                    throw Refusal(reason: "the loaded section \(section.name) lies after the last segment")
                }
                if section.offset < segmentsEnd && removed.contains(section.index) {
                    throw Refusal(reason: "the section \(section.name) lies inside the loaded part")
                }
            }
            try checkDynamicSymbols(sections, firstMoved: firstRemoved)

            // The kept prefix, then the surviving non-allocated sections, then the new section headers.
            var out = Array(bytes[..<segmentsEnd])
            var newIndex: [Int: Int] = [:]
            var kept: [Section] = []
            for section in sections where !removed.contains(section.index) {
                newIndex[section.index] = kept.count
                var moved = section
                if section.index != 0 && section.offset >= segmentsEnd {
                    let alignment = max(section.alignment, 1)
                    if section.type == Section.noBits {
                        moved.offset = out.count
                    } else {
                        guard section.fileEnd <= bytes.count else { throw Refusal(reason: "section \(section.name) is truncated") }
                        out += [UInt8](repeating: 0, count: (alignment - out.count % alignment) % alignment)
                        moved.offset = out.count
                        out += bytes[section.offset..<section.fileEnd]
                    }
                }
                kept.append(moved)
            }
            let headerAlignment = is64Bit ? 8 : 4
            out += [UInt8](repeating: 0, count: (headerAlignment - out.count % headerAlignment) % headerAlignment)
            let newShoff = out.count
            let w = is64Bit ? 8 : 4
            for section in kept {
                var header = section.header
                Self.put(UInt64(section.offset), w, at: 8 + 2 * w, in: &header, littleEndian: littleEndian)
                Self.put(UInt64(newIndex[Int(section.link)] ?? 0), 4, at: 8 + 4 * w, in: &header, littleEndian: littleEndian)
                if section.infoIsSection {
                    Self.put(UInt64(newIndex[Int(section.info)] ?? 0), 4, at: 12 + 4 * w, in: &header,
                             littleEndian: littleEndian)
                }
                out += header
            }
            Self.put(UInt64(newShoff), w, at: is64Bit ? 40 : 32, in: &out, littleEndian: littleEndian)
            Self.put(UInt64(kept.count), 2, at: is64Bit ? 60 : 48, in: &out, littleEndian: littleEndian)
            Self.put(UInt64(newIndex[shstrndx] ?? 0), 2, at: is64Bit ? 62 : 50, in: &out, littleEndian: littleEndian)
            return .stripped(out)
        }

        /// The loader never reads a symbol's section index, but tools do: a dynamic symbol defined in a
        /// section whose index would change means the object is not laid out as expected.
        private func checkDynamicSymbols(_ sections: [Section], firstMoved: Int) throws(Refusal) {
            for table in sections where table.type == 11 {  // SHT_DYNSYM
                let entrySize = is64Bit ? 24 : 16
                let shndxAt = is64Bit ? 6 : 14
                guard table.fileEnd <= bytes.count else { throw Refusal(reason: "its dynamic symbol table is truncated") }
                var at = table.offset
                while at + entrySize <= table.fileEnd {
                    let index = Int(try integer(at + shndxAt, 2))
                    if index >= firstMoved && index < 0xFF00 {
                        throw Refusal(reason: "a dynamic symbol is defined in a section that would move")
                    }
                    at += entrySize
                }
            }
        }
    }
}
