// Command lzwcheck runs Go's compress/lzw (LSB order, literal width 8, exactly as
// hashicorp/memberlist uses it) over a batch of requests so Swift tests can compare
// their LZW codec with Go's byte for byte (memberlist-wire.md section 6).
//
// Input, one request per line on stdin:
//
//	c <hex>   compress the bytes
//	d <hex>   decompress the bytes
//
// Output, one line per request on stdout: "ok <hex>" or "err <message>".
// Build with GO111MODULE=off; standard library only.
package main

import (
	"bufio"
	"bytes"
	"compress/lzw"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
)

func compress(input []byte) ([]byte, error) {
	var out bytes.Buffer
	writer := lzw.NewWriter(&out, lzw.LSB, 8)
	if _, err := writer.Write(input); err != nil {
		return nil, err
	}
	if err := writer.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func decompress(input []byte) ([]byte, error) {
	reader := lzw.NewReader(bytes.NewReader(input), lzw.LSB, 8)
	defer reader.Close()
	var out bytes.Buffer
	if _, err := io.Copy(&out, reader); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	for {
		line, readErr := in.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line != "" {
			fmt.Fprintln(out, handle(line))
		}
		if readErr == io.EOF {
			return
		}
		if readErr != nil {
			fmt.Fprintln(os.Stderr, "lzwcheck: read:", readErr)
			os.Exit(2)
		}
	}
}

func handle(line string) string {
	mode, payload, found := strings.Cut(line, " ")
	if !found {
		return "err malformed request"
	}
	input, err := hex.DecodeString(payload)
	if err != nil {
		return "err bad hex: " + err.Error()
	}
	var result []byte
	switch mode {
	case "c":
		result, err = compress(input)
	case "d":
		result, err = decompress(input)
	default:
		return "err unknown mode " + mode
	}
	if err != nil {
		return "err " + err.Error()
	}
	return "ok " + hex.EncodeToString(result)
}
