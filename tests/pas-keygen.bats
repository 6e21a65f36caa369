#!/usr/bin/env bats
# pas-keygen(1): the three key files, their modes and forms.

load common

setup() {
	common_setup
	cd "$T"
}

@test "pas-keygen: three files, secret 0600, public forms agree" {
	run -0 pas-keygen --key-id 4 -o k
	assert_output ''
	[ "$(stat -c %a k.sk)" = 600 ]
	grep -Eq '^[0-9a-f]{64}$' k.sk
	[ "$(wc -c < k.sk)" -eq 65 ]
	kc=$(cat k.keyconfig)
	# key_id 04 | kem 0020 | pk(32) | 0004 | 0001 | 0002
	[[ "$kc" =~ ^040020[0-9a-f]{64}000400010002$ ]]
	[ "$(wc -c < k.keyconfig)" -eq 83 ]
	# the JSON key is the base64 of the key config's public key
	python3 - "$kc" <<-'PY'
	import base64, json, sys
	kc = bytes.fromhex(sys.argv[1])
	j = json.load(open("k.json"))
	assert list(j) == ["keys"] and len(j["keys"]) == 1, j
	k = j["keys"][0]
	assert k["id"] == "04" + "0" * 14, k
	assert base64.b64decode(k["key"]) == kc[3:35], k
	PY
}

@test "pas-keygen: the public key is X25519 of the secret key (openssl)" {
	command -v openssl >/dev/null || skip "openssl is not installed"
	run -0 pas-keygen --key-id 200 -o k
	# PKCS#8 header of an X25519 private key, then the 32 bytes
	pk=$( (printf '302e020100300506032b656e04220420'; cat k.sk) | xxd -r -p |
		openssl pkey -inform DER -pubout -outform DER | tail -c 32 | xxd -p -c 64)
	[ "$(cat k.keyconfig)" = "c80020${pk}000400010002" ]
}

@test "pas-keygen: fresh keys differ; --seed gives the same key, per key id" {
	pas-keygen -o a
	pas-keygen -o b
	! cmp -s a.sk b.sk
	pas-keygen --seed 7 --key-id 1 -o c
	pas-keygen --seed 7 --key-id 1 -o d
	cmp c.sk d.sk
	cmp c.json d.json
	pas-keygen --seed 7 --key-id 2 -o e
	! cmp -s c.sk e.sk
	[ "$(head -c 2 a.keyconfig)" = 00 ]
}

@test "pas-keygen: existing files are kept unless --force" {
	pas-keygen --seed 1 -o k
	cp k.sk old.sk
	run -73 --separate-stderr pas-keygen --seed 2 -o k
	[ "$stderr" = "pas-keygen: k.keyconfig exists (--force replaces it)" ]
	cmp k.sk old.sk
	run -0 pas-keygen --seed 2 --force -o k
	! cmp -s k.sk old.sk
	[ "$(stat -c %a k.sk)" = 600 ]
	# a secret key alone in the way: the public files are written, the key not
	rm k.keyconfig k.json
	run -73 pas-keygen --seed 3 -o k
	[ -f k.json ]
}

@test "pas-keygen: a folder that does not exist, usage errors, --help" {
	run -73 --separate-stderr pas-keygen -o nodir/k
	[[ "$stderr" == "pas-keygen: "*"nodir/k.keyconfig"* ]]
	run -64 --separate-stderr pas-keygen
	[[ "$stderr" == *"-o PREFIX is required"* ]]
	[[ "$stderr" == *"usage: pas-keygen "* ]]
	run -64 pas-keygen --key-id 256 -o k
	run -64 pas-keygen --key-id x -o k
	run -64 pas-keygen -o k extra
	run -64 pas-keygen --skip-bad -o k
	run -0 pas-keygen --help
	[[ "$output" == "usage: pas-keygen "* ]]
	run -0 pas-keygen --version
	[[ "$output" == "pas-keygen (adsig) "* ]]
	[ ! -e k.sk ]
}
