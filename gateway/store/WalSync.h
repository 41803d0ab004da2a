#pragma once

#include <shared_mutex>
#include <string>

namespace Hookgate {

/// Makes a SQLite database's commits durable from outside its connection: fdatasync(2) of
/// the write-ahead log ("<database>-wal").
///
/// The connection runs with synchronous=NORMAL, so COMMIT writes the log's frames without
/// waiting for the disk; an fdatasync of the log afterwards makes every frame written so far
/// durable, which is what synchronous=FULL does inside COMMIT. Done outside, the fsync of
/// one group commit overlaps the next batch's work (GroupCommit's syncer). A checkpoint under
/// NORMAL still syncs the log before and the database after, as under FULL.
///
/// The log is opened on first use and again if SQLite has replaced the file (another inode
/// at the path). Any number of threads may sync at once; close() waits for them.
class WalSync
{
public:
	explicit WalSync(std::string databasePath);
	~WalSync();
	WalSync(const WalSync&) = delete;
	WalSync& operator=(const WalSync&) = delete;

	/// Returns once everything written to the log so far is on the disk. Throws
	/// StoreUnavailableException naming the file if that cannot be done. Once closed, it
	/// reports the result of close()'s sync.
	void sync();
	/// Syncs the log one last time (after the syncs under way) and closes its descriptor.
	void close();

private:
	/// Opens the log unless the descriptor still refers to it.
	void reopen();

	const std::string _path;
	std::shared_mutex _mutex;  ///< shared by syncs; exclusive to (re)open and to close
	int _fd = -1;
	bool _closed = false;
	std::string _closingError;  ///< close()'s sync failed: what sync() reports afterwards
};

} // namespace Hookgate
