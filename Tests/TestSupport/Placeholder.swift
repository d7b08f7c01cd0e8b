import GitKit
